/**
 * Threat: "AuthQuake" (Microsoft, 2024). The attempt limit was checked before a
 * failure was recorded, so many guesses fired at once all got evaluated, and
 * a 6-digit code fell in about an hour. twostep counts each attempt *before*
 * verifying it, in one conditional write, so however many requests race, at
 * most the free-failure count (5) is evaluated and the rest get 429.
 * Covers SECURITY 7 and 11, L4, and the AuthQuake bypass.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { apiPost, apiStartLogin, enrolTotp } from "../helpers/enrol.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { codeFor } from "../helpers/totp.js";

const freeFailures = 5;

/** `count` six-digit codes that are wrong for every step in the ±1 window. */
function wrongCodes(keyBase32: string, now: number, count: number): string[] {
  const right = new Set([-1, 0, 1].map((offset) => codeFor(keyBase32, now, offset)));
  const codes: string[] = [];
  for (let n = 100000; codes.length < count; n += 7919) {
    const code = String(n % 1_000_000).padStart(6, "0");
    if (!right.has(code)) codes.push(code);
  }
  return codes;
}

function tally(responses: { statusCode: number; json(): unknown }[]) {
  const statuses = responses.map((response) => response.statusCode);
  const bodies = responses.map((response) => response.json() as { code: string });
  return {
    evaluated: statuses.filter((status) => status === 401).length,
    lockedOut: bodies.filter((body, index) => statuses[index] === 429 && body.code === "locked_out").length,
    other: statuses.filter((status) => status !== 401 && status !== 429).length,
  };
}

describe("security: parallel second-factor guessing (AuthQuake)", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("evaluates at most the free failures of 40 concurrent guesses on one login, from 40 addresses", async () => {
    const { user, password, keyBase32 } = await enrolTotp(t.deps);
    t.clock.advance(30);
    const flowId = await apiStartLogin(t.app, { email: user.email, password }, "192.0.2.1");
    const guesses = wrongCodes(keyBase32, t.clock.now(), 40);

    const responses = await Promise.all(
      guesses.map((code, index) => apiPost(t.app, "/api/login/second-factor", { flowId, code }, { address: `10.40.0.${index + 1}` })),
    );
    const result = tally(responses);
    assert.equal(result.other, 0);
    assert.ok(result.evaluated <= freeFailures, `${result.evaluated} guesses were evaluated`);
    assert.ok(result.evaluated >= 1);
    assert.equal(result.lockedOut, 40 - result.evaluated);
    const locked = responses.find((response) => response.statusCode === 429)!;
    assert.ok(Number(locked.headers["retry-after"]) > 0, "429 says when to retry");

    // While locked, even the right code is refused…
    const right = await apiPost(t.app, "/api/login/second-factor", { flowId, code: codeFor(keyBase32, t.clock.now()) }, { address: "192.0.2.1" });
    assert.equal(right.statusCode, 429);
    assert.equal(right.json().code, "locked_out");

    // …and once the lock has passed the same login works again (the refusal was the lock, not the code).
    t.clock.advance(61);
    const after = await apiPost(t.app, "/api/login/second-factor", { flowId, code: codeFor(keyBase32, t.clock.now()) }, { address: "192.0.2.1" });
    assert.equal(after.statusCode, 200, after.body);
  });

  it("evaluates at most the free failures when every guess comes with its own login flow", async () => {
    const { user, password, keyBase32 } = await enrolTotp(t.deps);
    t.clock.advance(30);
    // The logins open one after another: 40 at once would meet the per-account password delay, not the race under test.
    const flows: string[] = [];
    for (let index = 0; index < 40; index++) flows.push(await apiStartLogin(t.app, { email: user.email, password }, `10.41.0.${index + 1}`));
    const guesses = wrongCodes(keyBase32, t.clock.now(), 40);

    const responses = await Promise.all(
      flows.map((flowId, index) => apiPost(t.app, "/api/login/second-factor", { flowId, code: guesses[index]! }, { address: `10.41.0.${index + 1}` })),
    );
    const result = tally(responses);
    assert.equal(result.other, 0);
    assert.ok(result.evaluated <= freeFailures, `${result.evaluated} guesses were evaluated`);
    assert.equal(result.lockedOut, 40 - result.evaluated);

    const right = await apiPost(t.app, "/api/login/second-factor", { flowId: flows[0]!, code: codeFor(keyBase32, t.clock.now()) }, { address: "10.41.0.1" });
    assert.equal(right.statusCode, 429);
  });

  it("evaluates at most the free failures of a burst from one address", async () => {
    const { user, password, keyBase32 } = await enrolTotp(t.deps);
    t.clock.advance(30);
    const flowId = await apiStartLogin(t.app, { email: user.email, password }, "192.0.2.42");
    const guesses = wrongCodes(keyBase32, t.clock.now(), 40);
    const responses = await Promise.all(guesses.map((code) => apiPost(t.app, "/api/login/second-factor", { flowId, code }, { address: "192.0.2.42" })));
    const result = tally(responses);
    assert.equal(result.other, 0);
    assert.ok(result.evaluated <= freeFailures, `${result.evaluated} guesses were evaluated`);
    assert.equal(result.lockedOut, 40 - result.evaluated);
  });

  it("evaluates at most the free failures when the burst mixes codes and recovery codes", async () => {
    const { user, password, keyBase32 } = await enrolTotp(t.deps);
    t.clock.advance(30);
    const flowId = await apiStartLogin(t.app, { email: user.email, password }, "192.0.2.50");
    const guesses = wrongCodes(keyBase32, t.clock.now(), 20);
    const requests = [
      ...guesses.map((code, index) => apiPost(t.app, "/api/login/second-factor", { flowId, code }, { address: `10.42.0.${index + 1}` })),
      ...Array.from({ length: 20 }, (_, index) =>
        apiPost(t.app, "/api/login/recovery-code", { flowId, code: `AAAA-BBBB-CCCC-${String(index).padStart(4, "0")}` }, { address: `10.43.0.${index + 1}` }),
      ),
    ];
    const result = tally(await Promise.all(requests));
    assert.equal(result.other, 0);
    assert.ok(result.evaluated <= freeFailures, `${result.evaluated} guesses were evaluated`);
    assert.equal(result.lockedOut, 40 - result.evaluated);
  });
});
