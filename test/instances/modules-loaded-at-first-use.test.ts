/**
 * Issue 16 item 4: a server holds in memory only what its logins need. What a login never uses
 * is imported at its first use, not at start: the OpenID Connect provider (oidc-provider with koa
 * and jose), the database driver not in use, nodemailer, qrcode, the API docs plugins, the phone
 * number library (libphonenumber-js, at the first number an SMS factor reads). A real
 * server process, its loaded packages listed by the bench's preload (bench/memory-loaded-packages.mjs,
 * which records every package the process resolves); a full password login, then the provider's
 * discovery document, which must still answer (the provider is mounted before the first request).
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseConfig } from "../../src/config.js";
import { createRuntime, type Runtime } from "../../src/bootstrap.js";
import { testDatabaseKind } from "../helpers/database.js";
import { callApi, createSharedDatabase, instanceEnv, startInstance, stopInstance, type Instance } from "../helpers/instances.js";
import { seedUser } from "../helpers/runtime.js";

describe("modules a login never needs are loaded at their first use", () => {
  let database: { url: string; drop(): Promise<void> };
  let runtime: Runtime;
  let instance: Instance;
  let listDir: string;
  const listFile = () => join(listDir, "loaded.txt");

  before(async () => {
    database = await createSharedDatabase();
    listDir = await mkdtemp(join(tmpdir(), "twostep-loaded-"));
    const env = instanceEnv(database.url, {
      TWOSTEP_API_DOCS: "off",
      TWOSTEP_EMAIL_GATEWAY: "smtp",
      TWOSTEP_SMTP_URL: "smtp://127.0.0.1:9",
      TWOSTEP_EMAIL_FROM: "twostep <no-reply@example.test>",
      TWOSTEP_MEMORY_LOADED_FILE: join(listDir, "loaded.txt"),
    });
    runtime = await createRuntime(parseConfig(env));
    instance = await startInstance(env, { nodeArgs: ["--import", "./bench/memory-loaded-packages.mjs"] });
  });
  after(async () => {
    if (instance) await stopInstance(instance);
    await runtime?.close();
    await database?.drop();
    if (listDir) await rm(listDir, { recursive: true, force: true });
  });

  /** The packages the server process has resolved so far (it writes them on SIGUSR2). */
  async function loadedPackages(): Promise<string[]> {
    await rm(listFile(), { force: true });
    instance.process.kill("SIGUSR2");
    for (let tries = 0; tries < 100; tries++) {
      const text = await readFile(listFile(), "utf8").catch(() => null);
      if (text !== null) return text.split("\n").filter(Boolean);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error("the server did not list its packages");
  }

  it("starts and logs a user in without the provider, the other store's driver, nodemailer, qrcode, the API docs or the phone library; the provider answers on first use", async () => {
    // The new sign-in email is off for this account: a login that sends an email loads nodemailer by design (its first SMTP send).
    const { user, password } = await seedUser(runtime.deps, { policy: { newSignInEmail: false } });
    const login = await callApi(instance.url, "/api/login", { email: user.email, password });
    assert.equal(login.body.status, "authenticated", JSON.stringify(login.body));
    const loaded = await loadedPackages();
    // The list is real: what every login uses is in it.
    for (const used of ["fastify", "kysely", "argon2", testDatabaseKind() === "postgres" ? "pg" : "better-sqlite3"]) assert.ok(loaded.includes(used), `${used} not listed: ${loaded.join(", ")}`);
    const notYet = ["oidc-provider", "koa", "jose", "nodemailer", "qrcode", "@fastify/swagger", "@fastify/swagger-ui", "libphonenumber-js", testDatabaseKind() === "postgres" ? "better-sqlite3" : "pg"];
    assert.deepEqual(notYet.filter((name) => loaded.includes(name)), []);

    const discovery = await fetch(`${instance.url}/.well-known/openid-configuration`);
    assert.equal(discovery.status, 200);
    assert.equal(((await discovery.json()) as { issuer?: string }).issuer, "http://localhost:3000");
    assert.ok((await loadedPackages()).includes("oidc-provider"));
  });
});
