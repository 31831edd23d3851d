/**
 * Threat: reading the SMS codes of development from another machine. The
 * development outbox (/dev/outbox) shows every SMS code with its full number,
 * and with a password that completes an SMS login. Development was the default
 * environment, so one TWOSTEP_HOST=0.0.0.0 put it on the network for anyone
 * (production is the default now: production-default-hides-outbox.test.ts).
 * Now development (and test) refuse to listen on a non-loopback address unless
 * TWOSTEP_ALLOW_REMOTE_DEVELOPMENT=true says so, and the outbox answers only a
 * client whose socket is loopback: everyone else gets the ordinary 404, whatever
 * X-Forwarded-For claims and whatever TWOSTEP_TRUST_PROXY believes.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConfigError, parseConfig } from "../../src/config.js";
import { ApiClient } from "../helpers/api-client.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

const productionKey = Buffer.alloc(32, 7).toString("base64");

describe("security: the development outbox is not readable from the network", () => {
  it("refuses to listen on a non-loopback address in development or test without TWOSTEP_ALLOW_REMOTE_DEVELOPMENT=true", () => {
    for (const environment of ["development", "test"]) {
      for (const host of ["0.0.0.0", "::", "192.168.1.20", "10.0.0.5", "twostep.example.com"]) {
        const env = { TWOSTEP_HOST: host, TWOSTEP_ENV: environment };
        assert.throws(
          () => parseConfig(env),
          (error: unknown) => error instanceof ConfigError && /TWOSTEP_ALLOW_REMOTE_DEVELOPMENT=true/.test(error.message) && error.message.includes(host),
          `${environment ?? "default"} on ${host}`,
        );
        assert.throws(() => parseConfig({ ...env, TWOSTEP_ALLOW_REMOTE_DEVELOPMENT: "false" }), ConfigError);
        const allowed = parseConfig({ ...env, TWOSTEP_ALLOW_REMOTE_DEVELOPMENT: "true" });
        assert.equal(allowed.host, host);
        assert.equal(allowed.allowRemoteDevelopment, true);
      }
    }
    for (const host of ["127.0.0.1", "127.0.1.1", "::1", "localhost"]) assert.equal(parseConfig({ TWOSTEP_ENV: "development", TWOSTEP_HOST: host }).host, host, `${host} is loopback`);
    assert.equal(parseConfig({ TWOSTEP_ENV: "development" }).host, "127.0.0.1", "the default is loopback");
    // The default environment is production (no outbox): a non-loopback host needs no permission there.
    assert.equal(parseConfig({ TWOSTEP_ENCRYPTION_KEY: productionKey, TWOSTEP_HOST: "0.0.0.0" }).environment, "production");
    // Production has no outbox and may listen anywhere.
    assert.equal(parseConfig({ TWOSTEP_ENV: "production", TWOSTEP_ENCRYPTION_KEY: productionKey, TWOSTEP_HOST: "0.0.0.0" }).host, "0.0.0.0");
    assert.throws(() => parseConfig({ TWOSTEP_ENV: "development", TWOSTEP_ALLOW_REMOTE_DEVELOPMENT: "yes" }), ConfigError);
  });

  describe("the outbox page", () => {
    let t: TestApp;
    let proxied: TestApp;
    /** The signed-in user's session: the outbox shows a browser only its own user's texts. */
    let cookie: string;
    before(async () => {
      t = await createTestApp({ env: { TWOSTEP_ENV: "development" } });
      proxied = await createTestApp({ env: { TWOSTEP_ENV: "development", TWOSTEP_TRUST_PROXY: "1" } });
      // A code in the outbox, so a leak would show it.
      const api = new ApiClient(t.app);
      const { user, password } = await seedUser(t.deps);
      const token = await api.sessionFor(user.email, password);
      cookie = `twostep_session=${token}`;
      const begun = await api.post("/api/me/two-factor/sms", { password, phoneNumber: "+44 7400 123456" }, token);
      assert.equal(begun.status, 200, begun.raw.body);
    });
    after(async () => {
      await t.close();
      await proxied.close();
    });
    const outbox = (app: TestApp, remoteAddress: string, headers: Record<string, string> = {}) =>
      app.app.inject({ method: "GET", url: "/dev/outbox", remoteAddress, headers: { cookie, ...headers } });

    it("answers a loopback client", async () => {
      for (const address of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) {
        const response = await outbox(t, address);
        assert.equal(response.statusCode, 200, address);
        assert.match(response.body, /\+447400123456/, "the loopback client sees the outbox");
      }
    });

    it("answers any other client 404 not_found, the same as an unknown page", async () => {
      const unknown = await t.app.inject({ method: "GET", url: "/dev/no-such-page", remoteAddress: "192.0.2.10" });
      for (const address of ["192.0.2.10", "10.0.0.7", "::ffff:192.0.2.10", "2001:db8::1"]) {
        const response = await outbox(t, address);
        assert.equal(response.statusCode, 404, address);
        assert.equal(response.body, unknown.body);
        assert.doesNotMatch(response.body, /7400|outbox/i);
      }
    });

    it("believes no X-Forwarded-For that claims loopback, even with a trusted proxy hop", async () => {
      for (const app of [t, proxied]) {
        assert.equal((await outbox(app, "192.0.2.10", { "x-forwarded-for": "127.0.0.1" })).statusCode, 404);
        assert.equal((await outbox(app, "192.0.2.10", { "x-forwarded-for": "127.0.0.1, 127.0.0.1" })).statusCode, 404);
      }
    });

    it("refuses a request a local proxy forwarded for another machine", async () => {
      assert.equal((await outbox(t, "127.0.0.1", { "x-forwarded-for": "192.0.2.10" })).statusCode, 404);
      assert.equal((await outbox(t, "127.0.0.1", { "x-forwarded-for": "127.0.0.1, 192.0.2.10" })).statusCode, 404);
      assert.equal((await outbox(t, "127.0.0.1", { forwarded: "for=192.0.2.10" })).statusCode, 404);
      assert.equal((await outbox(t, "127.0.0.1", { "x-forwarded-for": "127.0.0.1" })).statusCode, 200, "a local proxy for a local browser still works");
    });
  });
});
