/**
 * Threat: a production server hands anyone on the network the full map of its
 * API. /api/docs (the interactive UI) and /api/openapi.json answered without a
 * session in every environment, listing every route, parameter and error code:
 * free reconnaissance for an attacker, and a page nobody in production asked
 * for. Now production serves neither unless the operator opts in with
 * TWOSTEP_API_DOCS=on; development and test keep them by default, and a bad
 * value stops the start with a message naming the variable.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseConfig } from "../../src/config.js";
import { createTestApp } from "../helpers/runtime.js";

const key = Buffer.alloc(32, 7).toString("base64");
const documentPaths = ["/api/docs", "/api/docs/", "/api/docs/json", "/api/openapi.json"];

async function statuses(env: Record<string, string>): Promise<Record<string, number>> {
  const t = await createTestApp({ env });
  try {
    const result: Record<string, number> = {};
    for (const url of documentPaths) result[url] = (await t.app.inject({ method: "GET", url })).statusCode;
    return result;
  } finally {
    await t.close();
  }
}

describe("security: the API documentation is not public in production", () => {
  it("TWOSTEP_API_DOCS: off by default in production, on elsewhere; a bad value stops the start naming it", () => {
    assert.equal(parseConfig({ TWOSTEP_ENCRYPTION_KEY: key }).apiDocs, false);
    assert.equal(parseConfig({ TWOSTEP_ENCRYPTION_KEY: key, TWOSTEP_API_DOCS: "on" }).apiDocs, true);
    assert.equal(parseConfig({ TWOSTEP_ENV: "development" }).apiDocs, true);
    assert.equal(parseConfig({ TWOSTEP_ENV: "development", TWOSTEP_API_DOCS: "off" }).apiDocs, false);
    assert.equal(parseConfig({ TWOSTEP_ENV: "test", TWOSTEP_ENCRYPTION_KEY: key }).apiDocs, true);
    for (const bad of ["yes", "true", "ON "]) {
      assert.throws(
        () => parseConfig({ TWOSTEP_ENCRYPTION_KEY: key, TWOSTEP_API_DOCS: bad }),
        (error: unknown) => error instanceof ConfigError && error.message.includes("TWOSTEP_API_DOCS"),
        `TWOSTEP_API_DOCS=${bad}`,
      );
    }
  });

  it("production by default: the docs UI and the OpenAPI document answer 404", async () => {
    const answers = await statuses({ TWOSTEP_ENV: "production" });
    for (const url of documentPaths) assert.equal(answers[url], 404, `${url} in production`);
  });

  it("production with TWOSTEP_API_DOCS=on: they answer", async () => {
    const answers = await statuses({ TWOSTEP_ENV: "production", TWOSTEP_API_DOCS: "on" });
    assert.ok([200, 302].includes(answers["/api/docs"]!), `/api/docs answered ${answers["/api/docs"]}`);
    for (const url of ["/api/docs/", "/api/docs/json", "/api/openapi.json"]) assert.equal(answers[url], 200, url);
  });

  it("test (like development) serves them by default", async () => {
    const answers = await statuses({ TWOSTEP_ENV: "test" });
    assert.equal(answers["/api/openapi.json"], 200);
    assert.equal(answers["/api/docs/json"], 200);
  });
});
