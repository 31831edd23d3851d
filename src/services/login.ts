import { fail, type Result } from "../domain/errors.js";
import { activeMethods, beginSecondStep } from "../domain/login-flow/flow.js";
import type { LoginFlow, User } from "../domain/model.js";
import { createToken, hashToken } from "../security/tokens.js";
import type { RequestContext, ServiceDeps } from "./deps.js";
import { recordEvent } from "./audit.js";
import { toMethodView, type MethodView } from "./method-view.js";
import { issueSession } from "./sessions.js";
import { normalizeEmail } from "./users.js";
import { addressKey } from "./throttle.js";
import { lockSchedule } from "../domain/throttle.js";
import { deliverCodeIfSent, type CodeDelivery } from "./code-delivery.js";

export type LoginStart =
  | { ok: true; kind: "authenticated"; sessionToken: string; user: User }
  | { ok: true; kind: "second_factor"; flowToken: string; flow: LoginFlow; methods: MethodView[]; delivery: CodeDelivery };

/**
 * Step 1 (L1): email + password. A wrong email and a wrong password take the
 * same time and give the same answer, so nothing tells whether an account
 * exists or has 2FA before the password is right. With 2FA the result is a
 * pending flow, never a session (L5).
 */
export async function startLogin(deps: ServiceDeps, input: { email: string; password: string }, context: RequestContext): Promise<Result<LoginStart>> {
  if (input.email.length > 254 || input.password.length > 256) return fail("invalid_credentials");
  const now = deps.clock.now();
  // Password guessing is limited per client address (not per user: that would let anyone lock a user out).
  if (context.clientAddress) {
    const count = await deps.store.counters.countAttempt(`password-${addressKey(context.clientAddress)}`, now, { rows: lockSchedule(deps.config.addressThrottle) });
    if (!count.allowed) return fail("locked_out", { retryAfterSeconds: Math.ceil((count.lockedUntil - now) / 1000) });
  }
  const user = await deps.store.accounts.findUserByEmail(normalizeEmail(input.email));
  const passwordRight = await deps.passwords.verify(user?.passwordHash ?? null, input.password);
  if (!user || !passwordRight || !user.active) {
    if (user) await recordEvent(deps, deps.store, { type: "login.password_failed", subject: user, actor: null, context });
    return fail("invalid_credentials");
  }
  if (context.clientAddress) await deps.store.counters.refundAttempt(`password-${addressKey(context.clientAddress)}`, now);

  const methods = await deps.store.methods.listMethods(user.id);
  const flowToken = createToken();
  const flow = beginSecondStep({ id: deps.newId(), userId: user.id, methods, now, ttlSeconds: deps.config.loginTtlSeconds });
  if (!flow) {
    const { token } = await deps.store.transaction(async (store) => {
      const issued = await issueSession(deps, store, user, context);
      await recordEvent(deps, store, { type: "login.succeeded", subject: user, context, detail: { factor: "password" } });
      return issued;
    });
    return { ok: true, kind: "authenticated", sessionToken: token, user };
  }
  await deps.store.sessions.insertLoginFlow(flow, hashToken(flowToken));
  // L2: when the default is SMS, the code is sent as the second step opens.
  const delivery = await deliverCodeIfSent(deps, user, methods.find((method) => method.id === flow.methodId)!, flow.id, context);
  return { ok: true, kind: "second_factor", flowToken, flow, methods: activeMethods(methods).map(toMethodView), delivery };
}
