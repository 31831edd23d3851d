/**
 * The Remote-* headers forward auth answers with (services/apps/forward-auth.ts): a plain ASCII
 * name goes out as it is; a name with other letters goes out as its UTF-8 bytes (Node writes
 * header values as latin1, so the proxy passes the bytes on unchanged); a line break in a name
 * can never start a header of its own.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createClient } from "../../src/services/apps/clients.js";
import { decideForwardAuth } from "../../src/services/apps/forward-auth.js";
import type { Authenticated } from "../../src/services/sessions/sessions.js";
import { createTestRuntime, type TestRuntime } from "../helpers/runtime.js";

const panel = "https://names.example.test";

describe("forward auth's Remote-* headers", () => {
  let t: TestRuntime;
  before(async () => {
    t = await createTestRuntime();
    const created = await createClient(t.deps, { name: "Names panel", redirectUris: [`${panel}/cb`], postLogoutRedirectUris: [], backchannelLogoutUri: null, isPublic: false, rememberBrowser: false, forwardAuthOrigins: [panel], requireTwoFactor: false });
    assert.ok(created.ok);
  });
  after(() => t.close());

  const signedIn = (email: string, displayName: string): Authenticated => ({
    session: { id: "s1", userId: "u1", createdAt: 0, expiresAt: Number.MAX_SAFE_INTEGER, authenticatedAt: 0, recoveryCodeUsed: false, lastActiveAt: 0 },
    user: { id: "u1", accountId: "a1", email, displayName, role: "admin", passwordHash: "not read here", active: true, createdAt: 0 },
    account: { id: "a1", kind: "reseller", name: "Reseller", parentId: null, createdAt: 0 },
  });
  const headersFor = async (email: string, displayName: string) => {
    const decision = await decideForwardAuth(t.deps, new URL(`${panel}/`), signedIn(email, displayName));
    assert.equal(decision.kind, "allow");
    return decision.kind === "allow" ? decision.headers : {};
  };

  it("sends an ASCII name and address as they are", async () => {
    const headers = await headersFor("ann@example.test", "Ann O'Neil (support)");
    assert.equal(headers["Remote-Name"], "Ann O'Neil (support)");
    assert.equal(headers["Remote-User"], "ann@example.test");
    assert.equal(headers["Remote-Email"], "ann@example.test");
    assert.equal(headers["Remote-Groups"], "reseller,admin");
    assert.equal(headers["Remote-Account"], "a1");
  });

  it("sends any other name as its UTF-8 bytes", async () => {
    const headers = await headersFor("zoe@example.test", "Zoë Ångström 山田");
    assert.equal(Buffer.from(headers["Remote-Name"]!, "latin1").toString("utf8"), "Zoë Ångström 山田");
  });

  it("turns line breaks into spaces, so a name cannot add a header", async () => {
    for (const name of ["Eve\r\nRemote-Groups: platform,owner", "Eve\nRemote-User: root", "Évé\r\nX: 1"]) {
      const value = (await headersFor("eve@example.test", name))["Remote-Name"]!;
      assert.doesNotMatch(value, /[\r\n]/);
      assert.equal(Buffer.from(value, "latin1").toString("utf8"), name.replace(/[\r\n]/g, " "));
    }
  });
});
