import type { AccessDeps } from "./deps.js";
import { fail, ok, type Outcome, type Result } from "../../domain/errors.js";
import type { Account, AccountKind, Role, User } from "../../domain/model.js";
import type { RequestContext } from "../deps.js";
import { recordEvent } from "../events/audit.js";
import { isSingleMailbox } from "../../domain/email-address.js";

export const minimumPasswordLength = 12;
export const maximumPasswordLength = 256;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The one email rule (domain/email-address.ts), as the catalogue's failure; give it a normalised email. */
export function checkEmail(email: string): Outcome {
  return isSingleMailbox(email) ? ok : fail("invalid_email", { field: "email" });
}

/** NIST 800-63B: length, not composition rules. */
export function checkNewPassword(password: string, field = "password"): Outcome {
  if (password.length < minimumPasswordLength) return fail("password_too_short", { field });
  if (password.length > maximumPasswordLength) return fail("password_too_long", { field });
  return ok;
}

export async function createAccount(deps: AccessDeps, input: { name: string; kind: AccountKind; parentId: string | null }): Promise<Account> {
  const account: Account = { id: deps.newId(), name: input.name, kind: input.kind, parentId: input.parentId, createdAt: deps.clock.now() };
  await deps.store.accounts.insertAccount(account);
  return account;
}

export async function findAccountByName(deps: AccessDeps, name: string): Promise<Account | undefined> {
  return deps.store.accounts.findAccountByName(name);
}

export async function createUser(
  deps: AccessDeps,
  input: { accountId: string; email: string; password: string; displayName?: string; role: Role },
  context: RequestContext,
  actor: User | null = null,
): Promise<Result<{ user: User }>> {
  const email = normalizeEmail(input.email);
  const emailProblem = checkEmail(email);
  if (!emailProblem.ok) return emailProblem;
  const problem = checkNewPassword(input.password);
  if (!problem.ok) return problem;
  const account = await deps.store.accounts.findAccountById(input.accountId);
  if (!account) return fail("account_not_found", { field: "account" });
  if (input.role === "support" && account.kind !== "platform") return fail("invalid_role", { field: "role" });
  if (await deps.store.accounts.findUserByEmail(email)) return fail("email_taken", { field: "email" });
  const user: User = {
    id: deps.newId(),
    accountId: account.id,
    email,
    displayName: input.displayName?.trim() || email.split("@")[0]!,
    role: input.role,
    passwordHash: await deps.passwords.hash(input.password),
    active: true,
    createdAt: deps.clock.now(),
  };
  await deps.store.transaction(async (store) => {
    await store.accounts.insertUser(user);
    await recordEvent(deps, store, { type: "user.created", subject: user, actor, context, detail: { role: user.role } });
  });
  return { ok: true, user };
}
