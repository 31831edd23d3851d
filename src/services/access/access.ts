import type { AccessDeps } from "./deps.js";
import { decide, type AccessSubject, type Action, type Principal } from "../../domain/access.js";
import { fail, ok, type Outcome } from "../../domain/errors.js";
import { activeMethods } from "../../domain/login-flow/flow.js";
import type { Account, Session, User } from "../../domain/model.js";
import type { RequestContext } from "../deps.js";
import { recordEvent } from "../events/audit.js";
export { mayEverDo, type Action, type Relation } from "../../domain/access.js";

/**
 * Who acts: a user of an account, through a session (pages, JSON API) or an
 * API key (the platform API). Every service that touches another user's
 * security takes one and asks `authorize` (domain/access.ts holds the table).
 */
export interface Actor {
  user: User;
  account: Account;
  /** The session acted through; null for an API key. */
  session: Session | null;
  via: "session" | "api_key";
}

/** A user together with its account: what an action can be done to. */
export interface SubjectUser {
  user: User;
  account: Account;
}

export function principalOf(actor: { user: User; account: Account }): Principal {
  return { userId: actor.user.id, accountId: actor.account.id, accountKind: actor.account.kind, accountParentId: actor.account.parentId, role: actor.user.role };
}

export function subjectOf(target: SubjectUser | { account: Account }): AccessSubject {
  const user = "user" in target ? target.user : null;
  return { userId: user?.id ?? null, accountId: target.account.id, accountKind: target.account.kind, accountParentId: target.account.parentId, role: user?.role ?? null };
}

/**
 * What the table would answer, without recording anything: for what a page
 * offers (a Create user button, a Deactivate link), so nobody is shown an
 * action they would be refused. Never instead of `authorize` on the action itself.
 */
export function wouldAllow(actor: { user: User; account: Account }, action: Action, target: SubjectUser | { account: Account }): boolean {
  return decide(principalOf(actor), action, subjectOf(target)).allow;
}

/** Loads a user and its account by id; undefined when there is no such user. */
export async function findSubjectUser(deps: AccessDeps, userId: string): Promise<SubjectUser | undefined> {
  const user = await deps.store.accounts.findUserById(userId);
  if (!user) return undefined;
  const account = await deps.store.accounts.findAccountById(user.accountId);
  return account ? { user, account } : undefined;
}

/**
 * Asks the access table. A denial is a returned `forbidden` and an
 * `access.denied` event in the actor's own log (who tried what on whom);
 * nothing else is written.
 */
export async function authorize(
  deps: AccessDeps,
  actor: Actor,
  action: Action,
  target: SubjectUser | { account: Account },
  context: RequestContext,
): Promise<Outcome> {
  const decision = decide(principalOf(actor), action, subjectOf(target));
  if (decision.allow) return ok;
  await recordEvent(deps, deps.store, {
    type: "access.denied",
    subject: actor.user,
    context,
    detail: {
      action,
      reason: decision.reason,
      targetAccountId: target.account.id,
      ...("user" in target ? { targetUserId: target.user.id } : {}),
    },
  });
  return fail("forbidden");
}

/**
 * Step-up ("sudo mode", SECURITY 17, 29, 33). The session must have passed the
 * strongest factor the account has within TWOSTEP_STEP_UP_MINUTES (at login, or
 * on the "Confirm it's you" page), else `step_up_required`:
 * - `own`: the user's own 2FA settings. With 2FA off there is nothing stronger
 *   than the password the form itself asks for, so no window is needed.
 * - `admin`: creating a user, issuing an API key, any admin action on another
 *   user. Needed whether or not the actor has 2FA: without it the password
 *   (at login or on "Confirm it's you") opens the window, so a stale session
 *   cannot mint an admin who then locks out the one it was taken from.
 * - `others_two_factor`: acting on someone else's 2FA also needs the actor's
 *   own 2FA to be on: an admin without a second factor has no fresh one to give.
 * - `sessions`: "Sign out everywhere else" (issue 17). Like `admin`, needed
 *   whether or not the user has 2FA: the password without it.
 * API keys never pass.
 */
export type StepUpNeed = "own" | "admin" | "others_two_factor" | "sessions";

export async function requireStepUp(deps: AccessDeps, actor: Actor, need: StepUpNeed): Promise<Outcome> {
  if (actor.via !== "session" || !actor.session) return fail("forbidden");
  const hasTwoFactor = activeMethods(await deps.store.methods.listMethods(actor.user.id)).length > 0;
  if (!hasTwoFactor && need === "others_two_factor") return fail("own_two_factor_required");
  if (!hasTwoFactor && need === "own") return ok;
  const freshSince = deps.clock.now() - deps.config.stepUpMinutes * 60_000;
  return actor.session.authenticatedAt >= freshSince ? ok : fail("step_up_required");
}
