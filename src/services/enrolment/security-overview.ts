import type { EnrolmentDeps } from "./deps.js";
import { activeMethods } from "../../domain/login-flow/flow.js";
import type { SecurityEvent } from "../../domain/model.js";
import type { EffectivePolicy } from "../../domain/policy.js";
import { fewRecoveryCodesLeft } from "../../domain/recovery-codes.js";
import { listOwnEvents } from "../events/audit.js";
import { toMethodView, type MethodView } from "../factors/method-view.js";
import { effectivePolicyFor } from "../policy/policy.js";
import { countRecoveryCodes } from "../recovery/recovery-codes.js";
import type { Authenticated } from "../sessions/sessions.js";

export interface SecurityOverview {
  twoFactorEnabled: boolean;
  methods: MethodView[];
  recoveryCodes: { unused: number; total: number; fewLeft: boolean };
  policy: EffectivePolicy;
  events: SecurityEvent[];
  /** Logged in with a recovery code under `keep`: recommend resetting 2FA (R5). */
  recommendReset: boolean;
  /** P1: 2FA is (or becomes) mandatory for this user then, and they have no method yet: show it with "Set up now". */
  twoFactorDeadline: number | null;
}

/** Everything the security settings page and `GET /api/me/security` show. */
export async function securityOverview(deps: EnrolmentDeps, auth: Authenticated): Promise<SecurityOverview> {
  const [methods, codes, policy, events] = await Promise.all([
    deps.store.methods.listMethods(auth.user.id),
    countRecoveryCodes(deps, auth.user),
    effectivePolicyFor(deps, auth.user),
    listOwnEvents(deps, auth.user, 20),
  ]);
  const active = activeMethods(methods);
  return {
    twoFactorEnabled: active.length > 0,
    methods: active.map(toMethodView),
    recoveryCodes: { ...codes, fewLeft: active.length > 0 && codes.unused < fewRecoveryCodesLeft },
    policy,
    events,
    recommendReset: auth.session.recoveryCodeUsed && active.length > 0,
    twoFactorDeadline: active.length === 0 ? policy.requireTwoFactorFrom : null,
  };
}
