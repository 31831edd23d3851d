import type { AdminDeps } from "./deps.js";
import { randomBytes } from "node:crypto";
import { invitationKind, renderInvitationEmail } from "../../domain/email-words.js";
import { fail, type Result } from "../../domain/errors.js";
import type { Role, User } from "../../domain/model.js";
import { createToken, hashToken } from "../../security/tokens.js";
import { recordEvent } from "../events/audit.js";
import type { RequestContext } from "../deps.js";
import { authorize, requireStepUp, type Actor } from "../access/access.js";
import { checkEmail, normalizeEmail } from "../access/users.js";
import { sealedLinkEmail } from "../messages/link-emails.js";

/** An invitation link lasts longer than a reset link: the new user may not read their email today. */
export const invitationTtlDays = 7;

export interface NewUserInput {
  email: string;
  displayName: string;
  role: string;
}

/** Which roles this actor may give: admin or member in their account; support only from the platform. */
export function assignableRoles(actor: Actor): Role[] {
  return actor.account.kind === "platform" ? ["admin", "member", "support"] : ["admin", "member"];
}

/**
 * A1: an admin creates a user of their own account. The user gets no usable
 * password: the stored hash is of 32 random bytes nobody keeps, so no
 * password matches it. The invitation email holds a single-use set-password
 * link on the password-reset machinery (its own TTL): only the person
 * reading that inbox can choose the first password. The user row, the
 * `user.created` event (actor: the admin) and the email are one transaction.
 * It needs a fresh step-up (with or without the admin's 2FA): a new admin is
 * as strong as the one who made it, so a stale session must not make one.
 */
export async function createAccountUser(deps: AdminDeps, actor: Actor, input: NewUserInput, context: RequestContext): Promise<Result<{ user: User }>> {
  const denied = await authorize(deps, actor, "users.create", { account: actor.account }, context);
  if (!denied.ok) return denied;
  const email = normalizeEmail(input.email);
  const malformedEmail = checkEmail(email);
  if (!malformedEmail.ok) return malformedEmail;
  const displayName = input.displayName.trim();
  if (displayName.length < 1 || displayName.length > 100) return fail("invalid_display_name", { field: "displayName" });
  if (!(assignableRoles(actor) as string[]).includes(input.role)) return fail("invalid_role", { field: "role" });
  const role = input.role as Role;
  // The table's "never upward" rule, for the user about to exist: a member may not make an admin (only admins reach here today).
  const target = await authorize(deps, actor, "users.create", { user: { id: "new", accountId: actor.account.id, role } as User, account: actor.account }, context);
  if (!target.ok) return target;
  const stepUp = await requireStepUp(deps, actor, "admin");
  if (!stepUp.ok) return stepUp;
  if (await deps.store.accounts.findUserByEmail(email)) return fail("email_taken", { field: "email" });

  const now = deps.clock.now();
  const user: User = {
    id: deps.newId(),
    accountId: actor.account.id,
    email,
    displayName,
    role,
    passwordHash: await deps.passwords.hash(randomBytes(32).toString("base64url")),
    active: true,
    createdAt: now,
  };
  const token = createToken();
  const message = renderInvitationEmail({
    displayName,
    invitedBy: actor.user.displayName,
    accountName: actor.account.name,
    setPasswordUrl: `${deps.config.publicUrl}/login/reset?token=${token}`,
    ttlDays: invitationTtlDays,
  });
  await deps.store.transaction(async (store) => {
    await store.accounts.insertUser(user);
    await store.passwordResets.insertPasswordReset({ id: deps.newId(), userId: user.id, tokenHash: hashToken(token), purpose: "invitation", createdAt: now, expiresAt: now + invitationTtlDays * 86_400_000 });
    await recordEvent(deps, store, { type: "user.created", subject: user, actor: actor.user, context, detail: { role } });
    if (deps.config.email.gateway !== "none") {
      // Sealed: the set-password token is never stored in the clear (link-emails.ts).
      await store.messages.enqueue(sealedLinkEmail(deps, { id: deps.newId(), channel: "email", recipient: email, kind: invitationKind, subject: message.subject, textBody: message.text, htmlBody: message.html, createdAt: now }));
    }
  });
  return { ok: true, user };
}
