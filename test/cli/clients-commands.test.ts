/**
 * clients:create, clients:list, clients:rotate-secret and clients:delete on a
 * real database (the store TWOSTEP_TEST_DATABASE picks). The secret is printed
 * once and stored only as its hash; bad input names the problem, exits 2 and
 * writes nothing.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createRuntime } from "../../src/bootstrap.js";
import { runCli } from "../../src/cli/index.js";
import { parseConfig } from "../../src/config.js";
import { clientSecretMatches } from "../../src/services/apps/clients.js";
import { hashToken } from "../../src/security/tokens.js";
import type { OidcClient } from "../../src/store/store.js";
import { createTestDatabaseUrl } from "../helpers/database.js";
import { testKeyBase64 } from "../helpers/runtime.js";

describe("clients:* commands", () => {
  const dir = mkdtempSync(join(tmpdir(), "twostep-clients-cli-"));
  let database: { url: string; close(): Promise<void> } | undefined;
  const env: Record<string, string> = { TWOSTEP_ENV: "test", TWOSTEP_ENCRYPTION_KEY: testKeyBase64, TWOSTEP_ARGON2_MEMORY_KIB: "1024", TWOSTEP_ARGON2_ITERATIONS: "1" };
  const run = async (...argv: string[]) => {
    const saved = process.env;
    process.env = { PATH: saved.PATH ?? "", ...env };
    try {
      const lines: string[] = [];
      const code = await runCli(argv, { out: (line) => lines.push(line) });
      return { code, output: lines.join("\n") };
    } finally {
      process.env = saved;
    }
  };
  const stored = async (): Promise<OidcClient[]> => {
    const runtime = await createRuntime(parseConfig(env));
    try {
      return await runtime.deps.store.oidcClients.listOidcClients();
    } finally {
      await runtime.close();
    }
  };
  before(async () => {
    database = await createTestDatabaseUrl(dir);
    env.TWOSTEP_DATABASE_URL = database.url;
  });
  after(async () => {
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates a confidential app, prints the secret once as JSON and keeps only its hash", async () => {
    const created = await run(
      "clients:create", "--name", "Reseller Control Panel",
      "--redirect-uri", "https://rcp.example.test/callback", "--redirect-uri", "http://127.0.0.1:4000/cb",
      "--post-logout-redirect-uri", "https://rcp.example.test/", "--backchannel-logout-uri", "https://rcp.example.test/logout",
      "--forward-auth-url", "https://classic.example.test/", "--require-two-factor", "--json",
    );
    assert.equal(created.code, 0, created.output);
    const printed = JSON.parse(created.output) as { client_id: string; client_secret: string };
    assert.match(printed.client_secret, /^[A-Za-z0-9_-]{43}$/);
    const [client] = await stored();
    assert.ok(client);
    assert.equal(client.id, printed.client_id);
    assert.equal(client.secretHash, hashToken(printed.client_secret));
    assert.ok(clientSecretMatches(client, printed.client_secret));
    assert.ok(!clientSecretMatches(client, printed.client_secret.slice(0, -1) + "x"));
    assert.deepEqual(client.redirectUris, ["https://rcp.example.test/callback", "http://127.0.0.1:4000/cb"]);
    assert.deepEqual(client.forwardAuthOrigins, ["https://classic.example.test"]);
    assert.equal(client.requireTwoFactor, true);
    assert.equal(client.rememberBrowser, false);
    const listed = await run("clients:list", "--json");
    assert.ok(!listed.output.includes(printed.client_secret) && !listed.output.includes(client.secretHash!), "a listing shows no secret and no hash");
    assert.equal((JSON.parse(listed.output) as { type: string }[])[0]!.type, "confidential");
  });

  it("creates a public app with no secret", async () => {
    const created = await run("clients:create", "--name", "Storefront", "--redirect-uri", "https://shop.example.test/cb", "--public", "--remember-browser", "--json");
    assert.equal(created.code, 0, created.output);
    assert.deepEqual(Object.keys(JSON.parse(created.output)), ["client_id"]);
    const client = (await stored()).find((each) => each.name === "Storefront");
    assert.equal(client?.secretHash, null);
    assert.equal(client?.rememberBrowser, true);
    const rotated = await run("clients:rotate-secret", "--client", "Storefront");
    assert.equal(rotated.code, 2);
    assert.match(rotated.output, /public app/);
  });

  it("refuses bad input with the problem named, exit 2, and nothing created", async () => {
    const cases: [string[], RegExp][] = [
      [["--redirect-uri", "https://a.test/cb"], /needs --name/],
      [["--name", "No redirect"], /at least one --redirect-uri/],
      [["--name", "Plain http", "--redirect-uri", "http://app.example.test/cb"], /must use https/],
      [["--name", "Relative", "--redirect-uri", "/cb"], /not an absolute URL/],
      [["--name", "Fragment", "--redirect-uri", "https://a.test/cb#x"], /fragment/],
      [["--name", "Not normal", "--redirect-uri", "https://A.test/cb"], /normal form/],
      [["--name", "Path origin", "--redirect-uri", "https://a.test/cb", "--forward-auth-url", "https://a.test/panel"], /origin only/],
      [["--name", "Bad logout", "--redirect-uri", "https://a.test/cb", "--backchannel-logout-uri", "ftp://a.test/x"], /must use https/],
      [["--name", "Unknown", "--redirect-uri", "https://a.test/cb", "--wildcard"], /Unknown option/],
      [["--name", "Reseller Control Panel", "--redirect-uri", "https://other.test/cb"], /already exists/],
    ];
    const before = await stored();
    for (const [args, message] of cases) {
      const result = await run("clients:create", ...args);
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.output}`);
      assert.match(result.output, message);
    }
    assert.deepEqual(await stored(), before);
  });

  it("rotates a secret: the new one is printed once, the old one stops matching", async () => {
    const [client] = (await stored()).filter((each) => each.name === "Reseller Control Panel");
    const rotated = await run("clients:rotate-secret", "--client", client!.id, "--json");
    assert.equal(rotated.code, 0, rotated.output);
    const { client_secret: secret } = JSON.parse(rotated.output) as { client_secret: string };
    const after = (await stored()).find((each) => each.id === client!.id)!;
    assert.notEqual(after.secretHash, client!.secretHash);
    assert.ok(clientSecretMatches(after, secret));
    assert.ok(after.secretRotatedAt !== null);
    const missing = await run("clients:rotate-secret", "--client", "nope");
    assert.equal(missing.code, 2);
    assert.match(missing.output, /no app has the id or name "nope"/);
  });

  it("deletes an app by name; deleting it again is refused", async () => {
    assert.equal((await run("clients:delete", "--client", "Storefront")).code, 0);
    assert.equal((await stored()).some((each) => each.name === "Storefront"), false);
    const again = await run("clients:delete", "--client", "Storefront");
    assert.equal(again.code, 2);
    assert.match(again.output, /no app/);
    assert.equal((await run("clients:delete")).code, 2);
  });
});
