import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { accessTable, actions, actorKeys, decide, mayEverDo, privilegeOf, relationOf, relations, type AccessSubject, type Action, type ActorKey, type Principal, type Relation } from "../../src/domain/access.js";
import type { AccountKind, Role } from "../../src/domain/model.js";

/**
 * The access table (domain/access.ts) written out cell by cell: every actor ×
 * action × relation. Columns: self, same account, my customer, elsewhere.
 * "Y" allow, "." deny, "-" cannot happen (only a reseller has customers).
 * A change to the table must change this page too.
 */
const expected: Partial<Record<ActorKey, Record<Action, string>>> = {
  "platform:support": {
    "own_settings.change": "Y.-.",
    "users.view": ".Y-Y",
    "users.create": "..-.",
    "user.deactivate": "..-Y",
    "reset_request.file": "..-.",
    "reset_request.review": ".Y-Y",
    "customers.view": "..-Y",
    "customer_two_factor.disable": "..-.",
    "events.view": "YY-Y",
    "api_key.create": "Y.-.",
    "api_key.revoke": "Y.-.",
    "policy.manage": ".Y-.",
    "sessions.view": "YY-Y",
    "sessions.end": "Y.-Y",
  },
  "platform:admin": {
    "own_settings.change": "Y.-.",
    "users.view": ".Y-.",
    "users.create": ".Y-.",
    "user.deactivate": ".Y-.",
    "reset_request.file": ".Y-.",
    "reset_request.review": "..-.",
    "customers.view": "..-.",
    "customer_two_factor.disable": "..-.",
    "events.view": "YY-.",
    "api_key.create": "Y.-.",
    "api_key.revoke": "YY-.",
    "policy.manage": ".Y-.",
    "sessions.view": "YY-.",
    "sessions.end": "YY-.",
  },
  "platform:member": {
    "own_settings.change": "Y.-.",
    "users.view": "..-.",
    "users.create": "..-.",
    "user.deactivate": "..-.",
    "reset_request.file": "..-.",
    "reset_request.review": "..-.",
    "customers.view": "..-.",
    "customer_two_factor.disable": "..-.",
    "events.view": "Y.-.",
    "api_key.create": "Y.-.",
    "api_key.revoke": "Y.-.",
    "policy.manage": "..-.",
    "sessions.view": "Y.-.",
    "sessions.end": "Y.-.",
  },
  "reseller:admin": {
    "own_settings.change": "Y...",
    "users.view": ".Y..",
    "users.create": ".Y..",
    "user.deactivate": ".Y..",
    "reset_request.file": ".Y..",
    "reset_request.review": "....",
    "customers.view": "..Y.",
    "customer_two_factor.disable": "..Y.",
    "events.view": "YYY.",
    "api_key.create": "Y...",
    "api_key.revoke": "YY..",
    "policy.manage": ".Y..",
    "sessions.view": "YY..",
    "sessions.end": "YY..",
  },
  "reseller:member": {
    "own_settings.change": "Y...",
    "users.view": "....",
    "users.create": "....",
    "user.deactivate": "....",
    "reset_request.file": "....",
    "reset_request.review": "....",
    "customers.view": "..Y.",
    "customer_two_factor.disable": "..Y.",
    "events.view": "Y...",
    "api_key.create": "Y...",
    "api_key.revoke": "Y...",
    "policy.manage": "....",
    "sessions.view": "Y...",
    "sessions.end": "Y...",
  },
  "customer:admin": {
    "own_settings.change": "Y.-.",
    "users.view": ".Y-.",
    "users.create": ".Y-.",
    "user.deactivate": ".Y-.",
    "reset_request.file": "..-.",
    "reset_request.review": "..-.",
    "customers.view": "..-.",
    "customer_two_factor.disable": "..-.",
    "events.view": "YY-.",
    "api_key.create": "Y.-.",
    "api_key.revoke": "YY-.",
    "policy.manage": ".Y-.",
    "sessions.view": "YY-.",
    "sessions.end": "YY-.",
  },
  "customer:member": {
    "own_settings.change": "Y.-.",
    "users.view": "..-.",
    "users.create": "..-.",
    "user.deactivate": "..-.",
    "reset_request.file": "..-.",
    "reset_request.review": "..-.",
    "customers.view": "..-.",
    "customer_two_factor.disable": "..-.",
    "events.view": "Y.-.",
    "api_key.create": "Y.-.",
    "api_key.revoke": "Y.-.",
    "policy.manage": "..-.",
    "sessions.view": "Y.-.",
    "sessions.end": "Y.-.",
  },
};

const accountIds: Record<AccountKind, string> = { platform: "acct-platform", reseller: "acct-reseller", customer: "acct-customer" };
const parents: Record<AccountKind, string | null> = { platform: null, reseller: "acct-platform", customer: "acct-reseller" };

function principal(key: ActorKey, userId = "actor"): Principal {
  const [accountKind, role] = key.split(":") as [AccountKind, Role];
  return { userId, accountId: accountIds[accountKind], accountKind, accountParentId: parents[accountKind], role };
}

/**
 * A subject in `relation` to the actor, of the lowest privilege there (a
 * member; elsewhere a storefront customer of another reseller), so that only
 * the table decides; "never upward" is tested on its own below.
 */
function subjectIn(actor: Principal, relation: Relation): AccessSubject {
  const user = (accountId: string, accountKind: AccountKind, accountParentId: string | null): AccessSubject => ({ userId: "subject", accountId, accountKind, accountParentId, role: "member" });
  switch (relation) {
    case "self":
      return { userId: actor.userId, accountId: actor.accountId, accountKind: actor.accountKind, accountParentId: actor.accountParentId, role: actor.role };
    case "same_account":
      return user(actor.accountId, actor.accountKind, actor.accountParentId);
    case "my_customer":
      return user("acct-my-customer", "customer", actor.accountId);
    case "elsewhere":
      return user("acct-other-customer", "customer", "acct-other-reseller");
  }
}

describe("the access table, cell by cell (SPEC A1–A4, API1)", () => {
  it("lists every actor and every action", () => {
    assert.deepEqual(Object.keys(expected).sort(), [...actorKeys].sort());
    for (const key of actorKeys) assert.deepEqual(Object.keys(expected[key]!).sort(), [...actions].sort(), key);
    assert.ok(accessTable.length > 0);
  });

  for (const key of actorKeys) {
    it(`${key}: decide matches the written matrix in all ${actions.length * relations.length} cells`, () => {
      const actor = principal(key);
      const row = expected[key]!;
      for (const action of actions) {
        relations.forEach((relation, column) => {
          const cell = row[action][column];
          const cellName = `${key} × ${action} × ${relation}`;
          if (cell === "-") {
            // Only a reseller has customers: for anyone else such a subject is "elsewhere".
            assert.equal(relationOf(actor, subjectIn(actor, relation)), "elsewhere", cellName);
            assert.equal(mayEverDo(actor, action, "elsewhere"), row[action][3] === "Y", cellName);
            return;
          }
          const subject = subjectIn(actor, relation);
          assert.equal(relationOf(actor, subject), relation, cellName);
          const decision = decide(actor, action, subject);
          assert.equal(decision.allow, cell === "Y", `${cellName}: expected ${cell === "Y" ? "allow" : "deny"}`);
          if (!decision.allow) assert.equal(decision.reason, "not_in_table", cellName);
        });
      }
    });
  }
});

describe("never upward", () => {
  const platformSupport: AccessSubject = { userId: "support", accountId: accountIds.platform, accountKind: "platform", accountParentId: null, role: "support" };

  it("a reseller admin acts on no platform staff", () => {
    for (const action of ["user.deactivate", "reset_request.file", "api_key.revoke", "customer_two_factor.disable"] as const) {
      assert.equal(decide(principal("reseller:admin"), action, platformSupport).allow, false, action);
    }
  });

  it("a member acts on no admin of its account", () => {
    const admin: AccessSubject = { userId: "admin", accountId: accountIds.reseller, accountKind: "reseller", accountParentId: parents.reseller, role: "admin" };
    for (const action of ["user.deactivate", "reset_request.file", "api_key.revoke"] as const) {
      assert.equal(decide(principal("reseller:member"), action, admin).allow, false, action);
    }
  });

  it("an admin may file a reset request for another admin of the same account (equal privilege)", () => {
    const otherAdmin: AccessSubject = { userId: "admin-2", accountId: accountIds.reseller, accountKind: "reseller", accountParentId: parents.reseller, role: "admin" };
    assert.deepEqual(decide(principal("reseller:admin"), "reset_request.file", otherAdmin), { allow: true, relation: "same_account" });
  });

  it("platform support does not review a reset request about itself", () => {
    const actor = principal("platform:support", "support");
    assert.deepEqual(decide(actor, "reset_request.review", platformSupport), { allow: false, relation: "self", reason: "not_in_table" });
  });

  it("privilege: platform staff above reseller users above customers; admins above members", () => {
    const order = (["customer:member", "customer:admin", "reseller:member", "reseller:admin", "platform:member", "platform:admin"] as const).map((key) => privilegeOf(principal(key)));
    assert.deepEqual([...order].sort((a, b) => a - b), order);
    assert.equal(new Set(order).size, order.length);
    assert.equal(privilegeOf(principal("platform:support")), privilegeOf(principal("platform:admin")));
  });
});

describe("relationOf", () => {
  const reseller = principal("reseller:admin");
  const customerOf = (parent: string | null, accountId = "acct-c1"): AccessSubject => ({ userId: "u", accountId, accountKind: "customer", accountParentId: parent, role: "admin" });

  it("self: the actor's own user", () => {
    assert.equal(relationOf(reseller, { ...subjectIn(reseller, "self") }), "self");
  });

  it("same_account: another user of the account, or the account itself", () => {
    assert.equal(relationOf(reseller, subjectIn(reseller, "same_account")), "same_account");
    assert.equal(relationOf(reseller, { userId: null, accountId: reseller.accountId, accountKind: "reseller", accountParentId: parents.reseller, role: null }), "same_account");
  });

  it("my_customer: only for the reseller that is the customer's parent", () => {
    assert.equal(relationOf(reseller, customerOf(reseller.accountId)), "my_customer");
    assert.equal(relationOf(reseller, customerOf("acct-other-reseller")), "elsewhere");
    // A customer's own admin, or the platform, is not "my customer" of anyone.
    assert.equal(relationOf(principal("customer:admin"), customerOf(accountIds.customer, "acct-c2")), "elsewhere");
    assert.equal(relationOf(principal("platform:admin"), customerOf(accountIds.platform)), "elsewhere");
    // A reseller account whose parent is the actor's account is still not a customer.
    assert.equal(relationOf(principal("platform:support"), { userId: "r", accountId: "acct-r2", accountKind: "reseller", accountParentId: accountIds.platform, role: "admin" }), "elsewhere");
  });

  it("elsewhere: another reseller and its users", () => {
    assert.equal(relationOf(reseller, { userId: "r", accountId: "acct-r2", accountKind: "reseller", accountParentId: accountIds.platform, role: "member" }), "elsewhere");
  });
});
