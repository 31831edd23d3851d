import type { SupportDeps } from "./deps.js";
import { fail, type Result } from "../../domain/errors.js";
import { activeMethods } from "../../domain/login-flow/flow.js";
import type { Account, SecurityEvent, User } from "../../domain/model.js";
import type { ResetRequest } from "../../store/store.js";
import { authorize, findSubjectUser, requireStepUp, type Actor, type SubjectUser } from "../access/access.js";
import { recordEvent } from "../events/audit.js";
import type { RequestContext } from "../deps.js";
import { removeTwoFactor } from "../enrolment/two-factor-removal.js";
import { normalizeEmail } from "../access/users.js";

/**
 * A2 "Lost device and no codes": an account admin files a request to turn off
 * a user's 2FA; platform support reviews it by hand and approves (the user's
 * 2FA is removed) or rejects (with a reason). Every step is an event in the
 * user's log with the acting staff member as actor, and is emailed to the user
 * and the filing admin (notification table: `subject` and `filer`).
 */

export const reasonMaxLength = 500;

function cleanReason(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const reason = value.trim();
  return reason.length >= 1 && reason.length <= reasonMaxLength ? reason : null;
}

export async function fileResetRequest(
  deps: SupportDeps,
  actor: Actor,
  subjectUserId: string,
  input: { reason: unknown },
  context: RequestContext,
): Promise<Result<{ request: ResetRequest }>> {
  const subject = await findSubjectUser(deps, subjectUserId);
  if (!subject) return fail("user_not_found");
  // The table: a reseller's (or the platform's) admin on a user of its own account, never
  // on someone of higher privilege; denials are logged by `authorize`.
  const allowed = await authorize(deps, actor, "reset_request.file", subject, context);
  const denied = allowed.ok ? await requireStepUp(deps, actor, "others_two_factor") : allowed;
  if (!denied.ok) return denied;
  const reason = cleanReason(input.reason);
  if (reason === null) return fail("invalid_reason", { field: "reason" });
  if (activeMethods(await deps.store.methods.listMethods(subject.user.id)).length === 0) return fail("two_factor_not_enabled");
  return deps.store.transaction(async (store) => {
    const request = { id: deps.newId(), accountId: subject.account.id, subjectUserId: subject.user.id, filedByUserId: actor.user.id, reason, createdAt: deps.clock.now() };
    // One pending request per user, held by a unique index: two admins filing at once get one 409.
    if (!(await store.resetRequests.insertResetRequest(request))) return fail("reset_request_pending");
    // The reason stays in the request row (support reads it there), not in the event or the emails.
    await recordEvent(deps, store, { type: "two_factor.reset_requested", subject: subject.user, actor: actor.user, filer: actor.user, context, detail: { requestId: request.id } });
    const stored = await store.resetRequests.findResetRequest(request.id);
    return { ok: true as const, request: stored! };
  });
}

/** The filing form's view: whom it is about, if this admin may file for them (no step-up needed to look). */
export async function resetRequestSubject(deps: SupportDeps, actor: Actor, subjectUserId: string, context: RequestContext): Promise<Result<{ subject: SubjectUser; hasTwoFactor: boolean }>> {
  const subject = await findSubjectUser(deps, subjectUserId);
  if (!subject) return fail("user_not_found");
  const denied = await authorize(deps, actor, "reset_request.file", subject, context);
  if (!denied.ok) return denied;
  return { ok: true, subject, hasTwoFactor: activeMethods(await deps.store.methods.listMethods(subject.user.id)).length > 0 };
}

/** One row of the queue, with the names support needs to read it. */
export interface ResetRequestRow {
  request: ResetRequest;
  user: User | undefined;
  account: Account | undefined;
  filedBy: User | undefined;
}

async function rowOf(deps: SupportDeps, request: ResetRequest): Promise<ResetRequestRow> {
  const [user, account, filedBy] = await Promise.all([
    deps.store.accounts.findUserById(request.subjectUserId),
    deps.store.accounts.findAccountById(request.accountId),
    deps.store.accounts.findUserById(request.filedByUserId),
  ]);
  return { request, user, account, filedBy };
}

export const defaultQueuePageSize = 50;
export const maxQueuePageSize = 100;

/** Only platform support reviews: the table grants `reset_request.review` to `platform:support` alone (asked here of its own account). */
async function mayReview(deps: SupportDeps, actor: Actor, context: RequestContext) {
  return authorize(deps, actor, "reset_request.review", { account: actor.account }, context);
}

export async function listResetRequests(
  deps: SupportDeps,
  actor: Actor,
  options: { status: "pending" | "all"; after?: string; limit?: number; email?: string },
  context: RequestContext,
): Promise<Result<{ rows: ResetRequestRow[]; next: string | null }>> {
  const denied = await mayReview(deps, actor, context);
  if (!denied.ok) return denied;
  const limit = Math.min(Math.max(options.limit ?? defaultQueuePageSize, 1), maxQueuePageSize);
  // Support searches by the start of an email (display names are not unique); emails are stored lower-cased.
  const emailPrefix = normalizeEmail(options.email ?? "");
  const page = { limit: limit + 1, ...(options.after ? { after: options.after } : {}), ...(emailPrefix ? { emailPrefix } : {}) };
  const found = options.status === "pending" ? await deps.store.resetRequests.listPendingResetRequests(page) : await deps.store.resetRequests.listRecentResetRequests(page);
  const requests = found.slice(0, limit);
  const rows = await Promise.all(requests.map((request) => rowOf(deps, request)));
  return { ok: true, rows, next: found.length > limit ? requests[requests.length - 1]!.id : null };
}

/** The latest decisions, newest first, for the queue page's "Recently decided" (support only, like the queue). */
export async function listDecidedResetRequests(deps: SupportDeps, actor: Actor, options: { limit: number }, context: RequestContext): Promise<Result<{ rows: ResetRequestRow[] }>> {
  const denied = await mayReview(deps, actor, context);
  if (!denied.ok) return denied;
  const decided = await deps.store.resetRequests.listDecidedResetRequests({ limit: Math.min(Math.max(options.limit, 1), 100) });
  return { ok: true, rows: await Promise.all(decided.map((request) => rowOf(deps, request))) };
}

/** Loads a request and its user, and asks the table whether this reviewer may decide it (support never on itself). */
async function reviewable(deps: SupportDeps, actor: Actor, id: string, context: RequestContext): Promise<Result<{ request: ResetRequest; subject: SubjectUser }>> {
  const request = await deps.store.resetRequests.findResetRequest(id);
  const subject = request ? await findSubjectUser(deps, request.subjectUserId) : undefined;
  if (!request || !subject) {
    const denied = await mayReview(deps, actor, context);
    return denied.ok ? fail("reset_request_not_found") : denied;
  }
  const denied = await authorize(deps, actor, "reset_request.review", subject, context);
  return denied.ok ? { ok: true, request, subject } : denied;
}

export async function showResetRequest(
  deps: SupportDeps,
  actor: Actor,
  id: string,
  context: RequestContext,
): Promise<Result<{ row: ResetRequestRow; hasTwoFactor: boolean; events: SecurityEvent[] }>> {
  const found = await reviewable(deps, actor, id, context);
  if (!found.ok) return found;
  const row = await rowOf(deps, found.request);
  const hasTwoFactor = activeMethods(await deps.store.methods.listMethods(found.subject.user.id)).length > 0;
  const events = await deps.store.events.listEvents({ subjectUserId: found.subject.user.id, limit: 20 });
  return { ok: true, row, hasTwoFactor, events };
}

export async function approveResetRequest(deps: SupportDeps, actor: Actor, id: string, context: RequestContext): Promise<Result<{ request: ResetRequest }>> {
  return settle(deps, actor, id, { status: "approved", reviewReason: null }, context);
}

export async function rejectResetRequest(
  deps: SupportDeps,
  actor: Actor,
  id: string,
  input: { reason: unknown },
  context: RequestContext,
): Promise<Result<{ request: ResetRequest }>> {
  return settle(deps, actor, id, { status: "rejected", reviewReason: input.reason }, context);
}

async function settle(
  deps: SupportDeps,
  actor: Actor,
  id: string,
  decision: { status: "approved" | "rejected"; reviewReason: unknown },
  context: RequestContext,
): Promise<Result<{ request: ResetRequest }>> {
  const found = await reviewable(deps, actor, id, context);
  if (!found.ok) return found;
  const denied = await requireStepUp(deps, actor, "others_two_factor");
  if (!denied.ok) return denied;
  const reviewReason = decision.status === "rejected" ? cleanReason(decision.reviewReason) : null;
  if (decision.status === "rejected" && reviewReason === null) return fail("invalid_reason", { field: "reason" });
  if (found.request.status !== "pending") return fail("reset_request_settled");
  const filer = await deps.store.accounts.findUserById(found.request.filedByUserId);
  const subject = found.subject.user;
  return deps.store.transaction(async (store) => {
    // The conditional write decides: of two reviewers racing, only one gets the row back, and only
    // that one removes 2FA and writes events; the other gets 409 and changes nothing.
    const settled = await store.resetRequests.settleResetRequest(id, { status: decision.status, reviewedByUserId: actor.user.id, reviewReason, reviewedAt: deps.clock.now() });
    if (!settled) return fail("reset_request_settled");
    if (settled.status === "approved") {
      await removeTwoFactor(deps, store, subject, context, { reason: "support_reset", actor: actor.user });
      await recordEvent(deps, store, { type: "two_factor.reset_approved", subject, actor: actor.user, filer, context, detail: { requestId: id } });
    } else {
      await recordEvent(deps, store, { type: "two_factor.reset_rejected", subject, actor: actor.user, filer, context, detail: { requestId: id, reviewReason: reviewReason! } });
    }
    return { ok: true as const, request: settled };
  });
}
