import type { StorefrontDeps } from "./deps.js";
import type { Action } from "../../domain/access.js";
import { decide } from "../../domain/access.js";
import { fail, type Result } from "../../domain/errors.js";
import type { Account, MethodType } from "../../domain/model.js";
import { authorize, principalOf, subjectOf, type Actor } from "../access/access.js";
import type { RequestContext } from "../deps.js";

/**
 * A3, the storefront manager: a reseller's customer accounts and their users'
 * 2FA status. Every service here takes an `Actor`, so the pages, the JSON API
 * and (later) the platform API with an API-key actor share the same checks.
 */

export interface CustomerSummary {
  account: Account;
  users: number;
  usersWithTwoFactor: number;
}

export interface CustomerUserView {
  id: string;
  email: string;
  displayName: string;
  role: string;
  active: boolean;
  /** Read-only (A3): a reseller can only see it and disable it, never turn it on. */
  twoFactorEnabled: boolean;
  methods: MethodType[];
}

export const defaultPageSize = 25;
export const maxPageSize = 100;

/** The cursor is the last name shown, opaque to clients: the next page starts after it. */
export function encodeCursor(name: string): string {
  return Buffer.from(name, "utf8").toString("base64url");
}

function decodeCursor(cursor: string): string | null {
  if (!/^[A-Za-z0-9_-]{1,700}$/.test(cursor)) return null;
  const name = Buffer.from(cursor, "base64url").toString("utf8");
  return name.length > 0 ? name : null;
}

/**
 * The reseller's customers taken as one subject, for the up-front question
 * "may this actor see this reseller's customers at all?": a customer account
 * of that reseller that is none in particular. It relates to the reseller's
 * own users as `my_customer`, to anyone else's as `elsewhere`.
 */
function customersOf(reseller: Account): { account: Account } {
  return { account: { id: `customers-of:${reseller.id}`, kind: "customer", name: `customers of ${reseller.name}`, parentId: reseller.id, createdAt: 0 } };
}

/** May the actor do `action` to this customer account? Pure, no event: for filtering rows already scoped to the reseller. */
function allowedOn(actor: Actor, action: Action, account: Account): boolean {
  return decide(principalOf(actor), action, subjectOf({ account })).allow;
}

/**
 * One page of a reseller's customer accounts, by name. A reseller's users see
 * their own reseller's only; platform support names the reseller
 * (`resellerId`). Anyone else, or a reseller naming another reseller, is 403.
 */
export async function listCustomers(
  deps: StorefrontDeps,
  actor: Actor,
  input: { search?: string | null; cursor?: string | null; limit?: number | null; resellerId?: string | null },
  context: RequestContext,
): Promise<Result<{ reseller: Account; customers: CustomerSummary[]; nextCursor: string | null; search: string | null }>> {
  const resellerId = input.resellerId || (actor.account.kind === "reseller" ? actor.account.id : actor.account.kind === "customer" ? actor.account.parentId : null);
  if (!resellerId) return fail("invalid_request", { field: "resellerId" });
  const reseller = resellerId === actor.account.id ? actor.account : await deps.store.accounts.findAccountById(resellerId);
  if (!reseller || reseller.kind !== "reseller") {
    // Only support learns that no such reseller exists; anyone else hears "not allowed" either way.
    return isSupport(actor) ? fail("not_found") : fail("forbidden");
  }
  const denied = await authorize(deps, actor, "customers.view", customersOf(reseller), context);
  if (!denied.ok) return denied;
  const limit = Math.min(Math.max(Math.trunc(input.limit ?? defaultPageSize), 1), maxPageSize);
  const afterName = input.cursor ? decodeCursor(input.cursor) : null;
  if (input.cursor && afterName === null) return fail("invalid_request", { field: "cursor" });
  const search = input.search?.trim().slice(0, 100) || null;
  // One row more than asked says whether there is a next page.
  const rows = await deps.store.customers.listCustomerAccounts(reseller.id, { afterName, namePrefix: search, limit: limit + 1 });
  const page = rows.slice(0, limit).filter((row) => allowedOn(actor, "customers.view", row.account));
  const last = page.at(-1);
  return { ok: true, reseller, customers: page, nextCursor: rows.length > limit && last ? encodeCursor(last.account.name) : null, search };
}

function isSupport(actor: Actor): boolean {
  return actor.account.kind === "platform" && actor.user.role === "support";
}

/** A customer's record (A3): the account and each user with "Two-Factor Authentication: Enabled/Disabled". */
export async function showCustomer(
  deps: StorefrontDeps,
  actor: Actor,
  customerAccountId: string,
  context: RequestContext,
): Promise<Result<{ account: Account; reseller: Account | null; users: CustomerUserView[] }>> {
  const account = await deps.store.accounts.findAccountById(customerAccountId);
  if (!account || account.kind !== "customer") return fail("not_found");
  const denied = await authorize(deps, actor, "customers.view", { account }, context);
  if (!denied.ok) return denied;
  const reseller = account.parentId ? ((await deps.store.accounts.findAccountById(account.parentId)) ?? null) : null;
  const rows = await deps.store.customers.listAccountUsersWithMethods(account.id);
  const users = rows.map(({ user, activeMethodTypes }) => ({
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    active: user.active,
    twoFactorEnabled: activeMethodTypes.length > 0,
    methods: [...new Set(activeMethodTypes)],
  }));
  return { ok: true, account, reseller, users };
}
