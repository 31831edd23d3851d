/**
 * A tally (src/operations/metrics.ts#tallyOf) counts a fixed list of label sets in plain numbers
 * and hands them to its prom-client counter whenever the counter is read: every count shows at
 * the next read, none twice, and a label set outside the list is refused rather than miscounted.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Counter, Registry } from "prom-client";
import { tallyOf } from "../../src/operations/metrics.js";

describe("tallyOf", () => {
  it("shows every count at the next read, once", async () => {
    const registry = new Registry();
    const tally = tallyOf([
      { method: "totp", outcome: "ok" },
      { method: "totp", outcome: "wrong" },
      { method: "sms", outcome: "wrong" },
    ]);
    new Counter({ name: "twostep_checks_total", help: "checks", labelNames: ["method", "outcome"] as const, registers: [registry], collect: tally.flush });
    for (let i = 0; i < 3; i++) tally.add("totp", "wrong");
    tally.add("sms", "wrong");
    const first = await registry.metrics();
    assert.match(first, /^twostep_checks_total\{method="totp",outcome="wrong"\} 3$/m);
    assert.match(first, /^twostep_checks_total\{method="sms",outcome="wrong"\} 1$/m);
    assert.doesNotMatch(first, /outcome="ok"/, "a label set never counted is not shown");
    tally.add("totp", "wrong");
    tally.add("totp", "ok");
    const second = await registry.metrics();
    assert.match(second, /^twostep_checks_total\{method="totp",outcome="wrong"\} 4$/m, "added once, not again at the second read");
    assert.match(second, /^twostep_checks_total\{method="totp",outcome="ok"\} 1$/m);
    assert.match(await registry.metrics(), /^twostep_checks_total\{method="sms",outcome="wrong"\} 1$/m);
    assert.throws(() => tally.add("webauthn", "ok"), /no such label set/);
  });
});
