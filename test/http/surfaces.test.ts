import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { surfacesFor } from "../../src/http/pages/surfaces.js";
import type { AccountKind, Role } from "../../src/domain/model.js";

/** Navigation per surface: which links each actor sees (the routes still ask the table per subject). */
function linksOf(accountKind: AccountKind, role: Role): Record<string, string[]> {
  return Object.fromEntries(surfacesFor({ accountKind, role }).map((surface) => [surface.id, surface.links.map((link) => link.href)]));
}

describe("navigation by surface", () => {
  it("everyone has their own account settings", () => {
    for (const [kind, role] of [["platform", "support"], ["platform", "admin"], ["reseller", "member"], ["customer", "member"]] as const) {
      assert.deepEqual(linksOf(kind, role).account, ["/settings/security", "/settings/sessions", "/settings/events", "/settings/api-keys"], `${kind}:${role}`);
    }
  });

  it("a reseller admin: control panel and storefront manager, no support console", () => {
    assert.deepEqual(linksOf("reseller", "admin"), {
      account: ["/settings/security", "/settings/sessions", "/settings/events", "/settings/api-keys"],
      control_panel: ["/panel/users", "/panel/events", "/panel/policy"],
      storefront_manager: ["/storefront/customers"],
    });
  });

  it("a member sees no control panel (a reseller member still works the storefront manager)", () => {
    assert.deepEqual(Object.keys(linksOf("reseller", "member")), ["account", "storefront_manager"]);
    assert.deepEqual(Object.keys(linksOf("customer", "member")), ["account"]);
    assert.deepEqual(Object.keys(linksOf("platform", "member")), ["account"]);
  });

  it("a customer sees no storefront manager", () => {
    assert.deepEqual(linksOf("customer", "admin"), {
      account: ["/settings/security", "/settings/sessions", "/settings/events", "/settings/api-keys"],
      control_panel: ["/panel/users", "/panel/events", "/panel/policy"],
    });
  });

  it("platform support sees the support console and no control panel", () => {
    assert.deepEqual(linksOf("platform", "support"), {
      account: ["/settings/security", "/settings/sessions", "/settings/events", "/settings/api-keys"],
      support_console: ["/support/reset-requests", "/support/events", "/panel/users", "/panel/policy"],
    });
  });

  it("a platform admin has a control panel but neither storefront manager nor support console", () => {
    assert.deepEqual(Object.keys(linksOf("platform", "admin")), ["account", "control_panel"]);
  });
});
