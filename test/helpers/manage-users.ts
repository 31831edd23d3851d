/** A1 test helpers: users in one account, an active 2FA method without the enrolment flow, and the invitation link. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { Role, User } from "../../src/domain/model.js";
import type { ServiceDeps } from "../../src/services/deps.js";
import { createUser } from "../../src/services/access/users.js";
import { openedBodies } from "../../src/services/messages/link-emails.js";

let counter = 0;

export async function addUser(deps: ServiceDeps, accountId: string, input: { email?: string; role?: Role; displayName?: string } = {}): Promise<{ user: User; password: string }> {
  const password = "correct horse battery";
  const email = input.email ?? `member${++counter}-${randomUUID().slice(0, 6)}@example.test`;
  const created = await createUser(deps, { accountId, email, password, role: input.role ?? "member", ...(input.displayName ? { displayName: input.displayName } : {}) }, { clientAddress: null, userAgent: "test" });
  if (!created.ok) throw new Error(`addUser: ${created.code}`);
  return { user: created.user, password };
}

/** An active method row, as if enrolled: the list only reads type and status. */
export async function giveMethod(deps: ServiceDeps, userId: string, type: "totp" | "sms" = "totp") {
  const now = deps.clock.now();
  await deps.store.methods.insertMethod({
    id: randomUUID(), userId, type, name: type === "totp" ? "Authenticator app" : "Phone", status: "active", isDefault: true,
    secretCiphertext: "v1.k.iv.tag.body", lastUsedStep: null, replacesMethodId: null, createdAt: now, confirmedAt: now, lastUsedAt: null, pendingExpiresAt: null, displayHint: null,
  });
}

/** The invitation email to `email` and the set-password token its link carries. */
export async function invitationFor(deps: ServiceDeps, email: string): Promise<{ token: string; url: string; text: string }> {
  const message = (await deps.store.messages.listMessages(500)).find((candidate) => candidate.kind === "user_invitation" && candidate.recipient === email);
  assert.ok(message, `no invitation to ${email}`);
  // The stored bodies are sealed (they carry the token): opened as the dispatcher opens them.
  const { textBody } = openedBodies(deps, message);
  const match = /(https?:\/\/\S+\/login\/reset\?token=([A-Za-z0-9_-]+))/.exec(textBody);
  assert.ok(match, "the invitation holds a set-password link");
  return { url: match[1]!, token: match[2]!, text: textBody };
}
