/** Attack: rewriting history. The event log is append-only, and a test says so: no port, route or SQL changes or removes an event. */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { eventLogWorld, password } from "../helpers/event-log-world.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { portCalls } from "../helpers/port-calls.js";

describe("security: event log is append-only", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("the events port offers append and reads only, outside and inside a transaction", async () => {
    assert.deepEqual(portCalls(t.deps.store.events), ["appendEvent", "listEvents", "searchEvents"]);
    await t.deps.store.transaction(async (tx) => {
      assert.deepEqual(portCalls(tx.events), ["appendEvent", "listEvents", "searchEvents"]);
    });
  });

  it("no store SQL updates or deletes rows of events", () => {
    const dir = new URL("../../src/store/kysely/", import.meta.url);
    for (const file of readdirSync(dir)) {
      const source = readFileSync(new URL(file, dir), "utf8");
      assert.doesNotMatch(source, /updateTable\(\s*["']events\b|deleteFrom\(\s*["']events\b|\bupdate\s+events\b|\bdelete\s+from\s+events\b/i, file);
    }
  });

  it("no API route writes to an event log path other than reading it", async () => {
    const world = await eventLogWorld(t.deps);
    const api = new ApiClient(t.app);
    const token = await api.sessionFor(world.support.email, password);
    const before = await api.get("/api/support/events?limit=200", token);
    for (const method of ["POST", "PUT", "DELETE"] as const) {
      for (const url of ["/api/me/events", "/api/admin/events", "/api/support/events"]) {
        const response = await api.request(method, url, { token, json: {} });
        assert.equal(response.status, 404, `${method} ${url}`);
      }
    }
    const afterwards = await api.get("/api/support/events?limit=200", token);
    assert.deepEqual(afterwards.body.events, before.body.events);
  });
});
