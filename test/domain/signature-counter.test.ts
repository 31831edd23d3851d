/** The signature-counter rule (W3C WebAuthn §7.2 step 21) as a table: what a stored and a received counter mean. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { judgeSignatureCounter, type CounterVerdict } from "../../src/domain/webauthn/signature-counter.js";

describe("judgeSignatureCounter", () => {
  const table: [stored: number | null, received: number, verdict: CounterVerdict, why: string][] = [
    [null, 0, "no_counter", "a new key that keeps no counter (most synced passkeys)"],
    [0, 0, "no_counter", "still no counter"],
    [null, 1, "advanced", "a new key's first counted signature"],
    [0, 7, "advanced", "a key that starts counting"],
    [41, 42, "advanced", "the next signature"],
    [41, 1000, "advanced", "a jump forward (the key signed elsewhere for other sites)"],
    [42, 42, "cloned", "the same counter again: a copy, or a replay"],
    [42, 17, "cloned", "a counter that fell back: a copy of the key"],
    [42, 0, "cloned", "a counted key that suddenly sends 0"],
  ];
  for (const [stored, received, verdict, why] of table) {
    it(`stored ${stored ?? "none"}, received ${received} → ${verdict}: ${why}`, () => {
      assert.equal(judgeSignatureCounter(stored, received), verdict);
    });
  }
});
