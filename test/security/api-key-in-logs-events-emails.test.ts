/**
 * Threat: the key leaking after it was shown once (API1, SECURITY 15, 34): in
 * a log line, an event, an email, a later answer, or the database in the
 * clear. Only its SHA-256 hash is stored; events and emails name the key.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, createObservedTestApp, type ObservedTestApp } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { seedUser } from "../helpers/runtime.js";
import { hashToken } from "../../src/security/tokens.js";

describe("an API key is shown once and kept nowhere", () => {
  let t: ObservedTestApp;
  before(async () => {
    t = await createObservedTestApp();
  });
  after(() => t.close());

  it("no log line, event, email, list or later page holds the key; the database holds only its hash", async () => {
    const { user, password } = await seedUser(t.deps);
    const api = new ApiClient(t.app);
    const token = await api.sessionFor(user.email, password);
    const created = await api.post("/api/me/api-keys", { name: "from the API", expiresInDays: 30 }, token);
    const browser = new FormClient(t.app);
    await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    const page = await browser.post("/settings/api-keys", { name: "from a page", expiresInDays: "90" }, { csrfFrom: "/settings/api-keys" });
    const keys = [created.body.key as string, /value="(tsk_[^"]+)"/.exec(page.body)![1]!];
    const later: string[] = [];
    for (const key of keys) later.push((await api.get("/api/platform/v1/me", key)).raw.body);
    later.push((await api.get("/api/me/api-keys", token)).raw.body, (await browser.get("/settings/api-keys")).body);
    await api.request("DELETE", `/api/me/api-keys/${created.body.id}`, { token });
    later.push((await api.get("/api/platform/v1/me", keys[0]!)).raw.body);

    const events = JSON.stringify(await t.deps.store.events.listEvents({ subjectUserId: user.id, limit: 50 }));
    const emails = await t.deps.store.messages.listMessages(100);
    const ours = emails.filter((message) => message.recipient === user.email);
    assert.deepEqual(ours.map((message) => message.kind).sort(), ["api_key_created", "api_key_created", "api_key_revoked", "new_sign_in", "new_sign_in"]);
    const rows = JSON.stringify(await t.snapshot());
    for (const key of keys) {
      const secretPart = key.slice(12);
      for (const [where, text] of [["logs", t.logLines.join("\n")], ["service logs", t.logger.lines.join("\n")], ["events", events], ["emails", JSON.stringify(ours)], ["later answers", later.join("\n")], ["database", rows]] as const) {
        assert.ok(!text.includes(secretPart), `the key is in the ${where}`);
      }
      assert.ok(rows.includes(hashToken(key)), "the hash is stored");
      assert.ok(!events.includes(hashToken(key)), "not even the hash is in an event");
    }
    assert.match(events, /"name":"from the API"/);
  });
});
