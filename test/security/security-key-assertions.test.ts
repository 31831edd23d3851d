/**
 * Threat: a security-key login passed with an assertion that is not a fresh
 * answer from this user's own key to this login (issue 9, SECURITY 4, 6, 24):
 * a captured assertion replayed; an assertion made for another challenge (an
 * older prompt, another login); one made on another origin (a phishing site
 * relaying the prompt); a cloned key whose signature counter fell behind; a
 * key registered to another user. Each is refused with the catalogue's
 * `security_key_not_accepted`, counted, and gives no session; the clone is
 * logged and emailed. Real signatures (test/helpers/soft-authenticator.ts)
 * checked by the real @simplewebauthn/server.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { apiPost } from "../helpers/enrol.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { keyLoginStart, userWithKey } from "../helpers/security-keys.js";

describe("security: a security-key login takes only a fresh assertion of the user's own key for this login", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  const answer = (flowId: string, credential: unknown) => apiPost(t.app, "/api/login/second-factor", { flowId, credential });
  const refused = (response: { statusCode: number; json(): { code: string } }) => {
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, "security_key_not_accepted");
  };

  it("logs in with the key's assertion once; the same assertion replayed is refused", async () => {
    const who = await userWithKey(t.app, t.deps);
    const { flowId, options } = await keyLoginStart(t.app, who);
    const assertion = who.key.authenticate(options);
    const first = await answer(flowId, assertion);
    assert.equal(first.statusCode, 200, first.body);
    assert.ok(first.json().sessionToken);
    const second = await keyLoginStart(t.app, who);
    refused(await answer(second.flowId, assertion));
  });

  it("refuses an assertion made for another challenge: an older prompt of the same login, or another login's", async () => {
    const who = await userWithKey(t.app, t.deps);
    const { flowId, options } = await keyLoginStart(t.app, who);
    const stale = who.key.authenticate(options);
    const renewed = await apiPost(t.app, "/api/login/resend", { flowId });
    assert.equal(renewed.statusCode, 200, renewed.body);
    refused(await answer(flowId, stale));
    const other = await keyLoginStart(t.app, who);
    refused(await answer(flowId, who.key.authenticate(other.options)));
    const made = who.key.authenticate(renewed.json().webauthnOptions, { challenge: other.options.challenge as string });
    refused(await answer(flowId, made));
    const right = await answer(other.flowId, who.key.authenticate(other.options));
    assert.equal(right.statusCode, 200, "the other login's own answer works");
  });

  it("refuses an assertion made on another origin or for another RP ID (a phishing site relaying the prompt)", async () => {
    const who = await userWithKey(t.app, t.deps);
    const { flowId, options } = await keyLoginStart(t.app, who);
    refused(await answer(flowId, who.key.authenticate(options, { origin: "https://twostep-login.example" })));
    const again = await keyLoginStart(t.app, who);
    refused(await answer(again.flowId, who.key.authenticate(again.options, { rpId: "twostep-login.example" })));
  });

  it("refuses a cloned key whose signature counter fell behind, and logs and emails it", async () => {
    const who = await userWithKey(t.app, t.deps);
    const copy = who.key.clone();
    const one = await keyLoginStart(t.app, who);
    assert.equal((await answer(one.flowId, who.key.authenticate(one.options))).statusCode, 200);
    const two = await keyLoginStart(t.app, who);
    assert.equal((await answer(two.flowId, who.key.authenticate(two.options))).statusCode, 200);
    const three = await keyLoginStart(t.app, who);
    // The copy still counts from 0: its next signature carries 1, below the 2 already seen.
    refused(await answer(three.flowId, copy.authenticate(three.options)));
    const events = await t.deps.store.events.listEvents({ subjectUserId: who.user.id, limit: 20 });
    const clone = events.find((event) => event.type === "method.clone_refused");
    assert.ok(clone, "the refusal is logged");
    assert.deepEqual([clone.detail.storedCounter, clone.detail.receivedCounter], [2, 1]);
    assert.equal(events.some((event) => event.type === "login.succeeded" && event.createdAt > clone.createdAt), false);
    const due = await t.deps.store.messages.claimDue(t.clock.now() + 1, 500, "test", 60_000);
    const told = due.find((message) => message.kind === "key_clone_refused" && message.recipient === who.user.email);
    assert.ok(told, "the user is emailed");
    assert.match(told.subject, /copy of your security key/i);
  });

  it("refuses a key registered to another user, even with a valid signature for this login's challenge", async () => {
    const victim = await userWithKey(t.app, t.deps);
    const attacker = await userWithKey(t.app, t.deps);
    const { flowId, options } = await keyLoginStart(t.app, victim);
    // The attacker's own key signs the victim's challenge (allowCredentials ignored).
    const forged = attacker.key.authenticate({ ...options, allowCredentials: [] });
    refused(await answer(flowId, forged));
    // And the attacker's key id with the victim's key's signature is refused too.
    const swapped = victim.key.authenticate(options, { credentialId: attacker.key.credentials[0]!.id.toString("base64url") });
    const again = await keyLoginStart(t.app, victim);
    refused(await answer(again.flowId, { ...swapped }));
  });

  it("refuses junk as a 400 naming the field, without counting", async () => {
    const who = await userWithKey(t.app, t.deps);
    const { flowId } = await keyLoginStart(t.app, who);
    const response = await answer(flowId, { id: "x", rawId: "y", type: "public-key", response: {} });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, "invalid_security_key_response");
  });
});
