/** TWOSTEP_PUBLIC_URL is an origin: the pages, the cookies and the OpenID Connect issuer live at the root of its host. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseConfig } from "../src/config.js";

const base = { TWOSTEP_ENV: "development" };

describe("TWOSTEP_PUBLIC_URL", () => {
  it("takes an origin, with or without the trailing slash, and defaults to localhost on the port", () => {
    assert.equal(parseConfig({ ...base, TWOSTEP_PUBLIC_URL: "https://login.example.com/" }).publicUrl, "https://login.example.com");
    assert.equal(parseConfig({ ...base, TWOSTEP_PUBLIC_URL: "http://localhost:3000" }).publicUrl, "http://localhost:3000");
    assert.equal(parseConfig({ ...base, TWOSTEP_PUBLIC_URL: "https://Login.Example.com:8443" }).publicUrl, "https://login.example.com:8443");
    assert.equal(parseConfig({ ...base, TWOSTEP_PORT: "4000" }).publicUrl, "http://localhost:4000");
  });

  it("refuses a path, a query, credentials, another scheme or no URL at all, naming the variable", () => {
    const cases: [string, RegExp][] = [
      ["https://example.com/auth", /origin only .* such as https:\/\/example\.com/],
      ["https://example.com/?a=1", /origin only/],
      ["https://user:pw@example.com", /origin only/],
      ["ftp://example.com", /must start with https:\/\//],
      ["login.example.com", /must be a URL such as/],
    ];
    for (const [value, message] of cases) {
      assert.throws(() => parseConfig({ ...base, TWOSTEP_PUBLIC_URL: value }), (error: unknown) => error instanceof ConfigError && /^TWOSTEP_PUBLIC_URL /.test(error.message) && message.test(error.message), value);
    }
  });
});
