/** TWOSTEP_MANAGEMENT_ADDRESS and the other operations settings (src/config-operations.ts): each bad value names its variable. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../src/config.js";
import { parseManagementAddress, parseOperationsConfig } from "../src/config-operations.js";

const terminal = { development: true, terminal: true };

describe("operations configuration", () => {
  it("reads the management address: default, off, IPv4, a name, IPv6 in brackets", () => {
    assert.deepEqual(parseManagementAddress(undefined), { host: "127.0.0.1", port: 9464 });
    assert.deepEqual(parseManagementAddress(""), { host: "127.0.0.1", port: 9464 });
    assert.equal(parseManagementAddress("off"), null);
    assert.deepEqual(parseManagementAddress("0.0.0.0:9100"), { host: "0.0.0.0", port: 9100 });
    assert.deepEqual(parseManagementAddress("localhost:9464"), { host: "localhost", port: 9464 });
    assert.deepEqual(parseManagementAddress("[::1]:9464"), { host: "::1", port: 9464 });
  });

  it("refuses what is not host:port, naming the variable", () => {
    for (const bad of ["9464", "localhost:", ":9464", "127.0.0.1:0", "127.0.0.1:99999", "http://127.0.0.1:9464", "[::1:9464", "::1:9464", "[1.2.3.4]:9464", "on", "a b:1"]) {
      assert.throws(() => parseManagementAddress(bad), (error: unknown) => error instanceof ConfigError && /^TWOSTEP_MANAGEMENT_ADDRESS must be host:port/.test(error.message), bad);
    }
  });

  it("defaults: 10 s grace, pretty logs only in development on a terminal, incoming request ids not believed", () => {
    assert.deepEqual(parseOperationsConfig({}, terminal), { management: { host: "127.0.0.1", port: 9464 }, shutdownGraceSeconds: 10, logFormat: "pretty", trustRequestId: false });
    assert.equal(parseOperationsConfig({}, { development: true, terminal: false }).logFormat, "json");
    assert.equal(parseOperationsConfig({}, { development: false, terminal: true }).logFormat, "json");
    assert.equal(parseOperationsConfig({ TWOSTEP_LOG_FORMAT: "json" }, terminal).logFormat, "json");
    assert.equal(parseOperationsConfig({ TWOSTEP_LOG_FORMAT: "pretty" }, { development: false, terminal: false }).logFormat, "pretty");
    assert.equal(parseOperationsConfig({ TWOSTEP_SHUTDOWN_GRACE_SECONDS: "0", TWOSTEP_TRUST_REQUEST_ID: "true" }, terminal).shutdownGraceSeconds, 0);
  });

  it("names the variable of a bad grace, format or trust value", () => {
    assert.throws(() => parseOperationsConfig({ TWOSTEP_SHUTDOWN_GRACE_SECONDS: "-1" }, terminal), /TWOSTEP_SHUTDOWN_GRACE_SECONDS must be a whole number/);
    assert.throws(() => parseOperationsConfig({ TWOSTEP_LOG_FORMAT: "text" }, terminal), /TWOSTEP_LOG_FORMAT must be json or pretty/);
    assert.throws(() => parseOperationsConfig({ TWOSTEP_TRUST_REQUEST_ID: "yes" }, terminal), /TWOSTEP_TRUST_REQUEST_ID must be true or false/);
  });
});
