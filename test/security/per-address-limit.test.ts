/**
 * Threat: limits keyed on only one dimension. Per-address limits alone let an
 * attacker rotate addresses against one user (RubyGems GHSA-c55g-q6f4-5qxr);
 * per-user limits alone let one address sweep many users (with their leaked
 * passwords) a few guesses each; one global bucket lets anyone lock everyone
 * out. twostep limits per user (5 free failures) AND per client address (30),
 * and nothing else. Covers SECURITY 7 and 9, L4.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FormClient } from "../helpers/browser-client.js";
import { apiPost, apiStartLogin, enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { codeFor, wrongCodeFor } from "../helpers/totp.js";

const addressFreeFailures = 30;

describe("security: per-user and per-address limits", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  /** A guaranteed wrong code for the ±1 window at the test clock's now. */
  const wrongCode = (keyBase32: string) => wrongCodeFor(keyBase32, t.clock.now());

  async function guess(enrolled: EnrolledUser, address: string, code = wrongCode(enrolled.keyBase32)) {
    const flowId = await apiStartLogin(t.app, { email: enrolled.user.email, password: enrolled.password }, address);
    return apiPost(t.app, "/api/login/second-factor", { flowId, code }, { address });
  }

  it("locks an address that sweeps many users with a few guesses each", async () => {
    const users: EnrolledUser[] = [];
    for (let i = 0; i < 9; i++) users.push(await enrolTotp(t.deps));
    t.clock.advance(30);
    const attacker = "192.0.2.66";

    // 4 guesses per user stays under every user's own limit of 5…
    const statuses: number[] = [];
    for (const enrolled of users.slice(0, 8)) for (let i = 0; i < 4; i++) statuses.push((await guess(enrolled, attacker)).statusCode);
    // …but the address runs out after 30.
    assert.deepEqual(statuses.slice(0, addressFreeFailures), Array(addressFreeFailures).fill(401));
    assert.deepEqual(statuses.slice(addressFreeFailures), Array(statuses.length - addressFreeFailures).fill(429));

    // A user this address never touched, with the right code: still refused from this address.
    const untouched = users[8]!;
    const fromAttacker = await guess(untouched, attacker, codeFor(untouched.keyBase32, t.clock.now()));
    assert.equal(fromAttacker.statusCode, 429);
    assert.equal(fromAttacker.json().code, "locked_out");

    // The users themselves are not locked: from their own address the right code works.
    const fromHome = await guess(untouched, "198.51.100.80", codeFor(untouched.keyBase32, t.clock.now()));
    assert.equal(fromHome.statusCode, 200, fromHome.body);
    const swept = users[0]!;
    const sweptFromHome = await guess(swept, "198.51.100.81", codeFor(swept.keyBase32, t.clock.now(), 1));
    assert.equal(sweptFromHome.statusCode, 200, "4 failures on the user's own counter leave a slot");
  });

  it("locks a user whose guesses come from a new address each time", async () => {
    const enrolled = await enrolTotp(t.deps);
    t.clock.advance(30);
    for (let i = 0; i < 5; i++) {
      const browser = new FormClient(t.app, `10.66.${i}.1`);
      await browser.post("/login", { email: enrolled.user.email, password: enrolled.password }, { csrfFrom: "/login" });
      const response = await browser.post("/login/two-factor", { code: wrongCode(enrolled.keyBase32) }, { csrfFrom: "/login/two-factor" });
      assert.equal(response.statusCode, 401, `guess ${i + 1} from address ${i + 1}`);
    }
    const sixth = new FormClient(t.app, "10.66.99.1");
    await sixth.post("/login", { email: enrolled.user.email, password: enrolled.password }, { csrfFrom: "/login" });
    const response = await sixth.post("/login/two-factor", { code: codeFor(enrolled.keyBase32, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
    assert.equal(response.statusCode, 429, "a fresh address does not get fresh guesses at the same user");
    assert.equal((await guess(enrolled, "10.66.100.1", codeFor(enrolled.keyBase32, t.clock.now()))).statusCode, 429);
  });

  it("has no global bucket: a locked user or a locked address does not lock anybody else", async () => {
    const victim = await enrolTotp(t.deps);
    const bystander = await enrolTotp(t.deps);
    t.clock.advance(30);
    for (let i = 0; i < 5; i++) assert.equal((await guess(victim, `10.67.0.${i + 1}`)).statusCode, 401);
    assert.equal((await guess(victim, "10.67.0.99", codeFor(victim.keyBase32, t.clock.now()))).statusCode, 429, "the victim is locked");

    // Another user, from another address, is unaffected.
    assert.equal((await guess(bystander, "198.51.100.90", codeFor(bystander.keyBase32, t.clock.now()))).statusCode, 200);

    // And from the very address that locked the victim too: 1 failure there is far below the address limit.
    t.clock.advance(30);
    assert.equal((await guess(bystander, "10.67.0.1", codeFor(bystander.keyBase32, t.clock.now()))).statusCode, 200);

    // An address that is locked does not spill over to other addresses.
    const sweeper = "192.0.2.77";
    const targets: EnrolledUser[] = [];
    for (let i = 0; i < 8; i++) targets.push(await enrolTotp(t.deps));
    t.clock.advance(30);
    for (const target of targets) for (let i = 0; i < 4; i++) await guess(target, sweeper);
    assert.equal((await guess(bystander, sweeper, codeFor(bystander.keyBase32, t.clock.now()))).statusCode, 429, "the sweeping address is locked");
    assert.equal((await guess(bystander, "198.51.100.91", codeFor(bystander.keyBase32, t.clock.now()))).statusCode, 200, "other addresses are not");
  });
});
