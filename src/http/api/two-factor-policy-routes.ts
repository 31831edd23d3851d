import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { PolicyAudience } from "../../domain/policy.js";
import type { ServiceDeps } from "../../services/deps.js";
import type { Authenticated } from "../../services/sessions.js";
import { setTwoFactorRequirements, twoFactorPolicyFor } from "../../services/two-factor-policy-admin.js";
import { sendApiError } from "../plugins/errors.js";
import { sendApiFailure } from "../failure.js";
import { errors } from "./schemas.js";
import { requireApiSession } from "./session.js";

const audience = Type.Union([Type.Literal("own_users"), Type.Literal("reseller_users"), Type.Literal("customer_users")], {
  description: "Which users of the admin's own account the date covers (P2: a reseller's own users and its customers are separate levels)",
});
const day = Type.String({ format: "date", description: "YYYY-MM-DD, from 00:00 UTC", examples: ["2026-11-21"] });

const PolicyLevel = Type.Object({ audience, requireTwoFactorFrom: Type.Union([day, Type.Null()]) });
const PolicyResponse = Type.Object({
  account: Type.Object({ id: Type.String(), name: Type.String(), kind: Type.String() }),
  levels: Type.Array(PolicyLevel, { description: "Exactly the levels this admin may set, with their current dates (null: not required)" }),
});
const SetPolicyResponse = Type.Object({ ...PolicyResponse.properties, changed: Type.Boolean({ description: "false when the date was already the one sent" }) });
const SetPolicyBody = Type.Object(
  {
    audience,
    // No format here: a bad date is the service's own `invalid_date` (naming the field), not a generic schema error.
    requireTwoFactorFrom: Type.Union([Type.String({ maxLength: 32, examples: ["2026-11-21"] }), Type.Null()], { description: "YYYY-MM-DD; null removes the requirement" }),
  },
  { additionalProperties: false },
);

const dateOf = (time: number | null) => (time === null ? null : new Date(time).toISOString().slice(0, 10));

/**
 * P1 in the API: the same admin setting as the page /settings/two-factor-policy,
 * through the same service and so the same rules. The level is always one of
 * the caller's own account (no account id is taken, so there is nothing to
 * point at another reseller); a level their role and account may not set
 * (a reseller's `reseller_users`, which is the platform's) is 403 `forbidden`,
 * as is every member.
 */
export function registerTwoFactorPolicyApi(app: FastifyInstance, deps: ServiceDeps) {
  // onRequest, not preHandler: who is asking is settled before the body is read, so
  // a caller without a session learns nothing about this route's schema (401 first).
  const auth = { onRequest: requireApiSession(deps) };
  const doc = (summary: string) => ({ tags: ["admin"], summary, security: [{ session: [] }] });

  const present = async (reply: FastifyReply, who: Authenticated, extra: { changed?: boolean } = {}) => {
    const policy = await twoFactorPolicyFor(deps, who);
    if (!policy.ok) return sendApiFailure(reply, policy);
    return {
      account: { id: policy.account.id, name: policy.account.name, kind: policy.account.kind },
      levels: policy.rows.map((row) => ({ audience: row.audience, requireTwoFactorFrom: dateOf(row.requireTwoFactorFrom) })),
      ...extra,
    };
  };

  app.get(
    "/admin/two-factor-policy",
    { ...auth, schema: { ...doc("The 2FA requirement levels this admin may set, with their dates"), response: { 200: PolicyResponse, ...errors(401, 403) } } },
    async (request, reply) => present(reply, request.auth!),
  );

  app.put(
    "/admin/two-factor-policy",
    {
      ...auth,
      schema: {
        ...doc("Set or remove one level's 2FA requirement date (recorded as policy.changed)"),
        body: SetPolicyBody,
        response: { 200: SetPolicyResponse, ...errors(400, 401, 403, 415) },
      },
    },
    async (request, reply) => {
      const body = request.body as { audience: PolicyAudience; requireTwoFactorFrom: string | null };
      const input: Partial<Record<PolicyAudience, string>> = { [body.audience]: body.requireTwoFactorFrom ?? "" };
      const result = await setTwoFactorRequirements(deps, request.auth!, input);
      if (!result.ok) return result.code === "invalid_date" ? sendApiError(reply, "invalid_date", { field: "requireTwoFactorFrom" }) : sendApiFailure(reply, result);
      return present(reply, request.auth!, { changed: result.changed.length > 0 });
    },
  );
}
