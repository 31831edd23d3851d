/**
 * Threat: the suite hashes passwords at argon2id's lowest cost to stay fast; if that cost could
 * reach a real server, a stolen password table would be cheap to crack. The production
 * parameters are pinned here (OWASP's argon2id minimum: 19 MiB, 2 passes, 1 lane, in the hash
 * itself), and a server outside TWOSTEP_ENV=test refuses anything lower.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseConfig } from "../../src/config.js";
import { createPasswordHasher } from "../../src/security/passwords.js";
import { testKeyBase64 } from "../helpers/runtime.js";

const production = { TWOSTEP_ENV: "production", TWOSTEP_ENCRYPTION_KEY: testKeyBase64 };

describe("argon2id cost", () => {
  it("defaults to OWASP's minimum, and a password hash made with the defaults says so", async () => {
    const config = parseConfig(production);
    assert.deepEqual(config.argon2, { memoryKib: 19456, iterations: 2, parallelism: 1 });
    const stored = await createPasswordHasher(config.argon2).hash("a password of some length");
    assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  for (const environment of ["production", "development"]) {
    it(`refuses a lower cost with TWOSTEP_ENV=${environment}`, () => {
      for (const low of [{ TWOSTEP_ARGON2_MEMORY_KIB: "1024" }, { TWOSTEP_ARGON2_ITERATIONS: "1" }, { TWOSTEP_ARGON2_MEMORY_KIB: "19455" }]) {
        assert.throws(
          () => parseConfig({ ...production, TWOSTEP_ENV: environment, ...low }),
          (error: unknown) => error instanceof ConfigError && /below argon2id's minimum cost.*TWOSTEP_ENV=test only/.test(error.message),
          JSON.stringify(low),
        );
      }
    });
  }

  it("allows a higher cost anywhere, and the lowest only in the tests", () => {
    assert.equal(parseConfig({ ...production, TWOSTEP_ARGON2_MEMORY_KIB: "65536", TWOSTEP_ARGON2_ITERATIONS: "3" }).argon2.memoryKib, 65536);
    const test = parseConfig({ ...production, TWOSTEP_ENV: "test", TWOSTEP_ARGON2_MEMORY_KIB: "1024", TWOSTEP_ARGON2_ITERATIONS: "1" });
    assert.deepEqual(test.argon2, { memoryKib: 1024, iterations: 1, parallelism: 1 });
  });
});
