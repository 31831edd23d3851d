import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { maxRememberBrowserDays, type EffectivePolicy, type PolicyLayer } from "../../services/policy/policy.js";
import { policyLevelsFor, setPolicyLevel } from "../../services/policy/policy-levels.js";
import type { ServiceDeps } from "../../services/deps.js";
import { sessionActor } from "../../services/sessions/sessions.js";
import { requestContext } from "../context.js";
import { sendApiFailure } from "../failure.js";
import { errors, MethodTypeSchema } from "./schemas.js";
import { requireApiSession } from "./session.js";
import type { TypedApp } from "../typed-app.js";

const audience = Type.Union([Type.Literal("own_users"), Type.Literal("reseller_users"), Type.Literal("customer_users")], {
  description: "Which users of the admin's own account the level covers (P2: a reseller's own users and its customers are separate levels)",
});
const day = Type.String({ format: "date", description: "YYYY-MM-DD, from 00:00 UTC", examples: ["2026-11-21"] });
const method = MethodTypeSchema;
const recovery = Type.Union([Type.Literal("keep"), Type.Literal("disable")], { description: "R5: after a recovery-code login, keep 2FA on or turn it off" });
const rememberDays = Type.Integer({ minimum: 0, maximum: maxRememberBrowserDays, description: "L7: days a browser may skip the second step; 0: never offered" });
const nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Array> | ReturnType<typeof Type.Union> | ReturnType<typeof Type.Boolean> | ReturnType<typeof Type.Integer>>(schema: T, description: string) =>
  Type.Union([schema, Type.Null()], { description });

/** A level's own values: null inherits from the levels above. */
const LayerFields = {
  requireTwoFactorFrom: nullable(day, "P1: 2FA required from this day; null: no requirement of this level's own"),
  allowedMethods: nullable(Type.Array(method), "M5: allowed methods; null inherits. SMS is never the only one (SECURITY 27)"),
  recoveryCodePolicy: nullable(recovery, "R5; null inherits"),
  rotatePasswordOnDisable: nullable(Type.Boolean(), "D1: a new password when 2FA is turned off; null inherits"),
  rememberBrowserDays: nullable(rememberDays, "L7: how many days \"Don't ask again on this browser\" lasts, 0 never offers it; null inherits"),
  newSignInEmail: nullable(Type.Boolean(), "Issue 17: email the user when a browser new to them signs in (on by default); null inherits"),
};
const Effective = Type.Object({
  requireTwoFactorFrom: Type.Union([day, Type.Null()]),
  allowedMethods: Type.Array(method),
  recoveryCodePolicy: recovery,
  rotatePasswordOnDisable: Type.Boolean(),
  rememberBrowserDays: rememberDays,
  newSignInEmail: Type.Boolean(),
});
const Above = Type.Object({ account: Type.Object({ name: Type.String(), kind: Type.String() }), audience, ...LayerFields });
const PolicyLevel = Type.Object({
  audience,
  ...LayerFields,
  above: Type.Array(Above, { description: "The levels this one inherits from, most general first, with their own values" }),
  inherited: Type.Object(Effective.properties, { description: "What the levels above (and the defaults) give" }),
  effective: Type.Object(Effective.properties, { description: "What users under this level get" }),
});
const PolicyResponse = Type.Object({
  account: Type.Object({ id: Type.String(), name: Type.String(), kind: Type.String() }),
  levels: Type.Array(PolicyLevel, { description: "Exactly the levels this admin may set" }),
});
const SetPolicyResponse = Type.Object({
  ...PolicyResponse.properties,
  changed: Type.Boolean({ description: "false when nothing sent differed from the saved values" }),
  changedFields: Type.Array(Type.String(), { description: "The fields that changed (also in the policy.changed event)" }),
});
// No formats or enums on the values: a bad value is the service's own error naming the field.
const SetPolicyBody = Type.Object(
  {
    audience,
    requireTwoFactorFrom: Type.Optional(Type.Union([Type.String({ maxLength: 32, examples: ["2026-11-21"] }), Type.Null()], { description: "YYYY-MM-DD; null removes it" })),
    allowedMethods: Type.Optional(Type.Union([Type.Array(Type.String({ maxLength: 16 }), { maxItems: 4 }), Type.Null()], { description: "totp, sms; null inherits" })),
    recoveryCodePolicy: Type.Optional(Type.Union([Type.String({ maxLength: 16 }), Type.Null()], { description: "keep or disable; null inherits" })),
    rotatePasswordOnDisable: Type.Optional(Type.Union([Type.Boolean(), Type.Null()], { description: "null inherits" })),
    rememberBrowserDays: Type.Optional(Type.Union([Type.Number(), Type.Null()], { description: `L7: whole days from 0 (never offered) to ${maxRememberBrowserDays}; null inherits` })),
    newSignInEmail: Type.Optional(Type.Union([Type.Boolean(), Type.Null()], { description: "Issue 17: the new sign-in email on (true) or off (false); null inherits" })),
  },
  { additionalProperties: false },
);

const dateOf = (time: number | null) => (time === null ? null : new Date(time).toISOString().slice(0, 10));
const presentLayer = <Layer extends PolicyLayer | EffectivePolicy>(layer: Layer) => ({ ...layer, requireTwoFactorFrom: dateOf(layer.requireTwoFactorFrom) });

/**
 * P1, M5, R5, D1 in the API: the same admin setting as the page /panel/policy,
 * through the same service and so the same rules (access table, own 2FA and a
 * fresh second factor to change it). The level is always one of the caller's
 * own account: there is no account id to point at another reseller.
 */
export function registerTwoFactorPolicyApi(app: TypedApp, deps: ServiceDeps) {
  // onRequest, not preHandler: who is asking is settled before the body is read (401 first).
  const auth = { onRequest: requireApiSession(deps) };
  const doc = (summary: string) => ({ tags: ["admin"], summary, security: [{ session: [] }] });

  const present = async <Extra extends object>(request: FastifyRequest, reply: FastifyReply, extra: Extra) => {
    const policy = await policyLevelsFor(deps, sessionActor(request.auth!), requestContext(request));
    if (!policy.ok) return sendApiFailure(reply, policy);
    return {
      account: { id: policy.account.id, name: policy.account.name, kind: policy.account.kind },
      levels: policy.levels.map((level) => ({
        audience: level.audience,
        ...presentLayer(level.layer),
        above: level.above.map((above) => ({ account: { name: above.accountName, kind: above.accountKind }, audience: above.audience, ...presentLayer(above.layer) })),
        inherited: presentLayer(level.inherited),
        effective: presentLayer(level.effective),
      })),
      ...extra,
    };
  };

  app.get(
    "/admin/two-factor-policy",
    { ...auth, schema: { ...doc("The policy levels this admin may set, with what each inherits and the effective policy"), response: { 200: PolicyResponse, ...errors(401, 403) } } },
    async (request, reply) => present(request, reply, {}),
  );

  app.put(
    "/admin/two-factor-policy",
    {
      ...auth,
      schema: {
        ...doc("Set fields of one policy level; fields not sent keep their value, null inherits (recorded as policy.changed)"),
        body: SetPolicyBody,
        response: { 200: SetPolicyResponse, ...errors(400, 401, 403, 415) },
      },
    },
    async (request, reply) => {
      const { audience: level, ...input } = request.body;
      const result = await setPolicyLevel(deps, sessionActor(request.auth!), level, input, requestContext(request));
      if (!result.ok) return sendApiFailure(reply, result);
      return present(request, reply, { changed: result.changed.length > 0, changedFields: result.changed });
    },
  );
}
