/**
 * Threat: password guessing spread over many addresses. The per-address limit
 * alone let 60 guesses from 60 addresses against one account through, and
 * nobody was told (issue 7). A per-account lockout would be worse: anyone who
 * knows an email could keep its owner out. twostep counts wrong passwords per
 * email (existing or not, before argon2 runs): 10 are free, then a growing
 * delay; the user's own known browser skips it (on its own counter); the
 * first delay of a run is logged as `login.password_throttled` so the user is
 * emailed. Covers NIST SP 800-63B 5.2.2, L1, SECURITY 7–9.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { hashToken } from "../../src/security/tokens.js";
import { FormClient } from "../helpers/browser-client.js";
import { apiPost, enrolTotp } from "../helpers/enrol.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { codeFor } from "../helpers/totp.js";

const freeFailures = 10;
const wrong = "not the password at all";

describe("security: password guessing per account", () => {
  let t: TestApp;
  let addressSeq = 0;
  /** A fresh client address per guess, as an attacker with many addresses would use. */
  const nextAddress = () => `10.${(++addressSeq >> 8) & 255}.${addressSeq & 255}.7`;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  const apiLogin = (email: string, password: string, extra: Record<string, string> = {}, address = nextAddress()) => apiPost(t.app, "/api/login", { email, password, ...extra }, { address });
  const answer = (response: LightMyRequestResponse) => {
    const body = response.json() as { code?: string; retryAfterSeconds?: number };
    return `${response.statusCode} ${body.code ?? "ok"}${body.retryAfterSeconds ? ` ${body.retryAfterSeconds}s` : ""}`;
  };
  const throttledEvents = async (userId: string) =>
    (await t.deps.store.events.listEvents({ subjectUserId: userId, limit: 500 })).filter((event) => event.type === "login.password_throttled");

  /** Counts argon2 verifications: the expensive step whose presence or absence shows in timing. */
  async function counted<T>(work: () => Promise<T>): Promise<{ result: T; verifications: number }> {
    const original = t.deps.passwords.verify;
    let verifications = 0;
    t.deps.passwords.verify = (hash, password) => (verifications++, original(hash, password));
    try {
      return { result: await work(), verifications };
    } finally {
      t.deps.passwords.verify = original;
    }
  }

  it("limits 60 guesses from 60 addresses after 10, refuses even the right password during the delay, and logs it once", async () => {
    const { user, password } = await seedUser(t.deps);
    const answers: string[] = [];
    const addresses: string[] = [];
    for (let i = 0; i < 60; i++) {
      addresses.push(nextAddress());
      answers.push(answer(await apiLogin(user.email, wrong, {}, addresses[i])));
    }
    assert.deepEqual(answers.slice(0, freeFailures), Array(freeFailures).fill("401 invalid_credentials"));
    assert.deepEqual(answers.slice(freeFailures), Array(60 - freeFailures).fill("429 locked_out 30s"));

    const right = await apiLogin(user.email, password);
    assert.equal(answer(right), "429 locked_out 30s", "the delay holds the right password back too: nothing is learned from it");
    assert.equal(right.headers["retry-after"], "30");

    const events = await throttledEvents(user.id);
    assert.equal(events.length, 1, "one event for the run, not one per refused guess");
    assert.equal(events[0]!.clientAddress, addresses[freeFailures - 1], "with the address of the guess that started the delay");

    t.clock.advance(30);
    assert.equal(answer(await apiLogin(user.email, password)), "200 ok", "after the delay the right password works");
    // The success ended the run: 10 free failures again, and the next delay is a new run with its own event.
    for (let i = 0; i < freeFailures; i++) assert.equal(answer(await apiLogin(user.email, wrong)), "401 invalid_credentials");
    assert.equal(answer(await apiLogin(user.email, wrong)), "429 locked_out 30s");
    assert.equal((await throttledEvents(user.id)).length, 2);
  });

  it("grows the delay: 30 s, then 60 s, 120 s … for each guess after one", async () => {
    const { user } = await seedUser(t.deps);
    for (let i = 0; i < freeFailures; i++) await apiLogin(user.email, wrong);
    const waits: string[] = [];
    for (const seconds of [30, 60, 120, 240, 480, 900, 900]) {
      waits.push(answer(await apiLogin(user.email, wrong)));
      t.clock.advance(seconds);
      waits.push(answer(await apiLogin(user.email, wrong)));
    }
    assert.deepEqual(waits, [
      "429 locked_out 30s", "401 invalid_credentials",
      "429 locked_out 60s", "401 invalid_credentials",
      "429 locked_out 120s", "401 invalid_credentials",
      "429 locked_out 240s", "401 invalid_credentials",
      "429 locked_out 480s", "401 invalid_credentials",
      "429 locked_out 900s", "401 invalid_credentials",
      "429 locked_out 900s", "401 invalid_credentials",
    ]);
    assert.equal((await throttledEvents(user.id)).length, 1);
  });

  it("answers an unknown email exactly like a real one, with the same argon2 work", async () => {
    const { user } = await seedUser(t.deps);
    const missing = `nobody-${Date.now()}@example.test`;
    const run = async (email: string) => {
      const seen: string[] = [];
      for (let i = 0; i < 14; i++) {
        const { result, verifications } = await counted(() => apiLogin(email, wrong));
        seen.push(`${answer(result)} argon2×${verifications} ${JSON.stringify(result.json())}`);
      }
      return seen;
    };
    const real = await run(user.email);
    const unknown = await run(missing);
    assert.deepEqual(unknown, real);
    assert.ok(real[0]!.includes("401") && real[0]!.includes("argon2×1"));
    assert.ok(real[13]!.includes("429") && real[13]!.includes("argon2×0"), "during the delay no password is checked, for either");
    // Upper case and spaces are the same email: the count follows the account, not the spelling.
    assert.equal(answer(await apiLogin(`  ${user.email.toUpperCase()} `, wrong)), "429 locked_out 30s");
  });

  it("counts before checking: 30 parallel guesses from 30 addresses check at most 10 passwords", async () => {
    const { user } = await seedUser(t.deps);
    const { result, verifications } = await counted(() => Promise.all(Array.from({ length: 30 }, () => apiLogin(user.email, wrong))));
    const statuses = result.map((response) => response.statusCode);
    assert.equal(statuses.filter((status) => status === 401).length, freeFailures, statuses.join(","));
    assert.equal(statuses.filter((status) => status === 429).length, 30 - freeFailures);
    assert.equal(verifications, freeFailures);
    assert.equal((await throttledEvents(user.id)).length, 1, "racers record the event once");
  });

  it("pages: a browser that completed a login before still logs in (with its second step) during the delay; a new one waits", async () => {
    const { user, password, keyBase32 } = await enrolTotp(t.deps);
    t.clock.advance(30);
    const home = new FormClient(t.app, "198.51.100.20");
    await home.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    const done = await home.post("/login/two-factor", { code: codeFor(keyBase32, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
    assert.equal(done.statusCode, 303, done.body);
    const cookie = (done.cookies as { name: string; value: string; path?: string; httpOnly?: boolean; maxAge?: number }[]).find((c) => c.name === "twostep_browser");
    assert.ok(cookie, "a completed login remembers the browser");
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.path, "/login");
    assert.equal(cookie.maxAge, 180 * 86_400);
    assert.equal(await t.deps.store.knownBrowsers.findKnownBrowser(cookie.value, t.clock.now()), null, "the token is not stored as it is");
    assert.deepEqual(await t.deps.store.knownBrowsers.findKnownBrowser(hashToken(cookie.value), t.clock.now()), { userId: user.id });
    await home.post("/logout", {}, { csrfFrom: "/settings/security" });
    assert.ok(home.cookies.has("twostep_browser"), "logging out does not forget the browser");

    // The attack, through the pages from 60 addresses.
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await new FormClient(t.app, nextAddress()).post("/login", { email: user.email, password: wrong }, { csrfFrom: "/login" })).statusCode);
    assert.deepEqual(statuses, [...Array(freeFailures).fill(401), ...Array(60 - freeFailures).fill(429)]);

    const stranger = new FormClient(t.app, "198.51.100.21");
    const refused = await stranger.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    assert.equal(refused.statusCode, 429, "a new browser waits, even with the right password");

    const back = await home.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    assert.equal(back.statusCode, 303, back.body);
    assert.match(String(back.headers.location), /^\/login\/two-factor/, "the second step still applies");
    t.clock.advance(30); // a new TOTP step for the second step (the delay was only for the password)
    const again = await home.post("/login/two-factor", { code: codeFor(keyBase32, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
    assert.equal(again.statusCode, 303);
    assert.equal(again.headers.location, "/settings/security");
    assert.equal(
      (again.cookies as { name: string }[]).some((c) => c.name === "twostep_browser"),
      false,
      "a browser already known keeps its token",
    );
  });

  it("API: the browserToken of a completed login skips the delay; another user's or a made-up one does not", async () => {
    const { user, password } = await seedUser(t.deps);
    const other = await seedUser(t.deps);
    const first = (await apiLogin(user.email, password)).json() as { browserToken: string };
    assert.match(first.browserToken, /^[A-Za-z0-9_-]{43}$/, "256 random bits");
    const othersToken = ((await apiLogin(other.user.email, other.password)).json() as { browserToken: string }).browserToken;
    const kept = (await apiLogin(user.email, password, { browserToken: first.browserToken })).json() as { browserToken?: string };
    assert.equal(kept.browserToken, undefined, "a valid token is not replaced");

    for (let i = 0; i < freeFailures; i++) await apiLogin(user.email, wrong);
    assert.equal(answer(await apiLogin(user.email, password)), "429 locked_out 30s");
    assert.equal(answer(await apiLogin(user.email, password, { browserToken: othersToken })), "429 locked_out 30s", "bound to its user");
    assert.equal(answer(await apiLogin(user.email, password, { browserToken: "A".repeat(43) })), "429 locked_out 30s");
    assert.equal(answer(await apiLogin(user.email, password, { browserToken: first.browserToken })), "200 ok");
    // The known client's success did not end the stranger's run.
    assert.equal(answer(await apiLogin(user.email, password)), "429 locked_out 30s");
    // Junk in the field is a 400 naming it, not a 500.
    const junk = await apiLogin(user.email, password, { browserToken: "x".repeat(100) });
    assert.equal(junk.statusCode, 400);
  });

  it("a known browser counts on its own counter: a stolen token is no faster than a stranger, and the account's count is untouched", async () => {
    const { user, password } = await seedUser(t.deps);
    const token = ((await apiLogin(user.email, password)).json() as { browserToken: string }).browserToken;
    const withToken: string[] = [];
    for (let i = 0; i <= freeFailures; i++) withToken.push(answer(await apiLogin(user.email, wrong, { browserToken: token })));
    assert.deepEqual(withToken, [...Array(freeFailures).fill("401 invalid_credentials"), "429 locked_out 30s"]);
    assert.equal(answer(await apiLogin(user.email, wrong)), "401 invalid_credentials", "the account's own counter was not used");
    assert.equal((await throttledEvents(user.id)).length, 0, "the user's own browser does not trigger the email");
  });
});
