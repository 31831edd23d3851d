/**
 * Threat: an operator deletes a panel's app (`clients:delete`, its own process)
 * and the proxy in front of that panel keeps getting twostep's users through.
 * Each instance keeps the list of apps for `appListLifetimeMs` (forward auth
 * asks on every request of the panel): the deleted origin is refused (403, no
 * identity) once that time has passed on an instance that had read the list,
 * and at once on the instance that made the change.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { appListLifetimeMs, createClient, deleteClient } from "../../src/services/apps/clients.js";
import { FormClient } from "../helpers/browser-client.js";
import { createSharedTestDatabase, type SharedTestDatabase } from "../helpers/database.js";
import { createTestApp, createTestRuntime, seedUser, type TestApp, type TestRuntime } from "../helpers/runtime.js";

const base = { postLogoutRedirectUris: [], backchannelLogoutUri: null, isPublic: false, requireTwoFactor: false, rememberBrowser: false };

describe("attack: forward auth for the origin of a deleted app", () => {
  const dir = mkdtempSync(join(tmpdir(), "twostep-forward-auth-deleted-"));
  let shared: SharedTestDatabase;
  let server: TestApp;
  /** The command line: another process on the same database, with its own list of apps. */
  let cli: TestRuntime;
  let cookie: string;
  before(async () => {
    shared = await createSharedTestDatabase(dir);
    server = await createTestApp({ shared });
    cli = await createTestRuntime({ shared });
    const { user, password } = await seedUser(server.deps);
    const browser = new FormClient(server.app);
    await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    assert.ok(browser.cookies.has("twostep_session"));
  });
  after(async () => {
    await server?.close();
    await cli?.close();
    await shared?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ask = (origin: string) => server.app.inject({ method: "GET", url: "/forward-auth", headers: { "x-original-url": `${origin}/orders`, cookie } });
  const register = async (deps: TestRuntime["deps"], name: string, origin: string) => {
    const created = await createClient(deps, { ...base, name, redirectUris: [`${origin}/cb`], forwardAuthOrigins: [origin] });
    assert.ok(created.ok);
  };

  it("refuses a panel deleted from the command line within the documented lifetime, with no identity", async () => {
    const origin = "https://classic.example.test";
    await register(cli.deps, "Classic", origin);
    // Registered elsewhere: this instance sees it once its list is older than the lifetime (it may have read it before).
    server.clock.advance(appListLifetimeMs / 1000);
    assert.equal((await ask(origin)).statusCode, 200, "the registered panel is let through");

    assert.ok((await deleteClient(cli.deps, "Classic")).ok);
    server.clock.advance(appListLifetimeMs / 1000);
    const refused = await ask(origin);
    assert.equal(refused.statusCode, 403, "refused once the lifetime has passed");
    assert.equal(refused.headers["remote-user"], undefined);
    assert.equal(refused.headers.location, undefined);
  });

  it("keeps the list no longer than the lifetime: just before it the deleted panel is still known, just after it is not", async () => {
    const origin = "https://legacy.example.test";
    await register(cli.deps, "Legacy", origin);
    server.clock.advance(appListLifetimeMs / 1000);
    assert.equal((await ask(origin)).statusCode, 200);
    assert.ok((await deleteClient(cli.deps, "Legacy")).ok);
    server.clock.advance((appListLifetimeMs - 1000) / 1000);
    assert.equal((await ask(origin)).statusCode, 200, "within the lifetime this instance has not read the list again");
    server.clock.advance(1);
    assert.equal((await ask(origin)).statusCode, 403);
  });

  it("refuses at once a panel deleted through this instance", async () => {
    const origin = "https://local.example.test";
    await register(server.deps, "Local", origin);
    assert.equal((await ask(origin)).statusCode, 200, "registered through this instance: known at once");
    assert.ok((await deleteClient(server.deps, "Local")).ok);
    assert.equal((await ask(origin)).statusCode, 403);
  });
});
