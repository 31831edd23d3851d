/** A3 fixtures: two resellers, each with an admin (TOTP on) and customer accounts, built through the services. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { Account, Role, User } from "../../src/domain/model.js";
import type { ServiceDeps } from "../../src/services/deps.js";
import { createAccount, createUser } from "../../src/services/access/users.js";
import { FormClient } from "./browser-client.js";
import { apiLoginWithCode, enrolTotpFor, type EnrolledUser } from "./enrol.js";
import type { TestApp } from "./runtime.js";
import { codeFor } from "./totp.js";

const password = "correct horse battery";
const setup = { clientAddress: null, userAgent: "test-setup" };

export async function addUser(deps: ServiceDeps, account: Account, input: { name: string; role?: Role }): Promise<{ user: User; password: string }> {
  const email = `${input.name.toLowerCase().replace(/\W+/g, ".")}-${randomBytes(3).toString("hex")}@example.test`;
  const created = await createUser(deps, { accountId: account.id, email, password, displayName: input.name, role: input.role ?? "member" }, setup);
  assert.ok(created.ok);
  return { user: created.user, password };
}

export interface Reseller {
  account: Account;
  admin: EnrolledUser;
  /** A customer account with two users; `enrolled` has TOTP on, `plain` has not. */
  customer: Account;
  enrolled: EnrolledUser;
  plain: { user: User; password: string };
}

/** A reseller with an admin (TOTP on) and a customer account "<label> Customer" with two users. */
export async function seedReseller(deps: ServiceDeps, label: string): Promise<Reseller> {
  const tag = randomBytes(3).toString("hex");
  const platform = await createAccount(deps, { name: `platform ${label} ${tag}`, kind: "platform", parentId: null });
  const account = await createAccount(deps, { name: `${label} ${tag}`, kind: "reseller", parentId: platform.id });
  const customer = await createAccount(deps, { name: `${label} Customer ${tag}`, kind: "customer", parentId: account.id });
  const adminUser = await addUser(deps, account, { name: `${label} Admin`, role: "admin" });
  const admin = await enrolTotpFor(deps, adminUser.user, adminUser.password);
  const customerUser = await addUser(deps, customer, { name: `${label} Buyer` });
  const enrolled = await enrolTotpFor(deps, customerUser.user, customerUser.password);
  const plain = await addUser(deps, customer, { name: `${label} Shopper` });
  return { account, admin, customer, enrolled, plain };
}

/** Logs in on the pages with password and a current TOTP code: the session is fresh (step-up passed). */
export async function pageLoginWithTotp(t: TestApp, who: EnrolledUser): Promise<FormClient> {
  t.clock.advance(30); // the enrolment claimed this step: the next one is not a replay
  const browser = new FormClient(t.app);
  const first = await browser.post("/login", { email: who.user.email, password: who.password }, { csrfFrom: "/login" });
  assert.equal(first.headers.location, "/login/two-factor");
  const second = await browser.post("/login/two-factor", { code: codeFor(who.keyBase32, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
  assert.equal(second.headers.location, "/settings/security", second.body);
  return browser;
}

/** Logs in on the pages with a password alone (a user without 2FA). */
export async function pageLogin(t: TestApp, who: { user: User; password: string }): Promise<FormClient> {
  const browser = new FormClient(t.app);
  const response = await browser.post("/login", { email: who.user.email, password: who.password }, { csrfFrom: "/login" });
  assert.equal(response.headers.location, "/settings/security");
  return browser;
}

/** Logs in on the JSON API with password and a current TOTP code: a fresh session token. */
export async function apiLoginWithTotp(t: TestApp, who: EnrolledUser): Promise<string> {
  t.clock.advance(30);
  return apiLoginWithCode(t.app, { email: who.user.email, password: who.password }, codeFor(who.keyBase32, t.clock.now()));
}
