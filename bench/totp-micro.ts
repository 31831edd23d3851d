/**
 * TOTP verification against its floor, in one process, interleaved so both
 * see the same CPU conditions:
 *   - floor:  one HMAC-SHA1 over an 8-byte counter with node:crypto createHmac
 *   - ours:   findTotpStep with a ±1 window and a wrong code, so all 3 HMACs run
 * The figure of merit is ours / (floor / 3).
 *
 * The two loops alternate in short chunks (300 HMACs, then 100 verifications:
 * about half a millisecond each). Each adjacent pair gives one ratio, and the
 * medians over thousands of pairs are reported, so a noisy machine (other
 * processes, frequency changes) slows both sides of a pair alike and stray
 * slow chunks do not move the result.
 */
import { createHmac } from "node:crypto";
import { findTotpStep, generateTotp } from "../src/domain/otp/totp.js";
import { interleave, type PairedRatios } from "./paired.js";

/** `ratio`: the median over the chunk pairs of totp / (hmac / 3). */
export interface TotpMicroResult extends PairedRatios {
  hmacOpsPerSecond: number;
  totpOpsPerSecond: number;
  /** hmacOpsPerSecond / 3: what three HMACs and nothing else would allow. */
  floorOfThreeOpsPerSecond: number;
}

export async function runTotpMicro(options: { milliseconds?: number } = {}): Promise<TotpMicroResult> {
  const milliseconds = options.milliseconds ?? 4000;
  const key = Buffer.from("12345678901234567890"); // the RFC 6238 SHA-1 key: 20 bytes
  const now = Date.UTC(2026, 10, 22, 12, 0, 0); // fixed, so the "wrong" code stays wrong
  const check = { nowInMilliseconds: now, windowSteps: 1, lastUsedStep: null };
  // A well-formed code that matches none of the steps in the window (nor the ones beside it).
  const window = new Set([-2, -1, 0, 1, 2].map((offset) => generateTotp(key, now + offset * 30_000)));
  let wrong = 123456;
  while (window.has(String(wrong).padStart(6, "0"))) wrong++;
  const wrongCode = String(wrong).padStart(6, "0");
  if (findTotpStep(key, wrongCode, check) !== null) throw new Error("the wrong code matched");
  if (findTotpStep(key, generateTotp(key, now), check) === null) throw new Error("the right code did not match");

  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(Math.floor(now / 30_000)));
  let sink = 0;
  const hmac = (iterations: number) => {
    for (let i = 0; i < iterations; i++) sink ^= createHmac("sha1", key).update(message).digest()[19]!;
  };
  const totp = (iterations: number) => {
    for (let i = 0; i < iterations; i++) if (findTotpStep(key, wrongCode, check) === null) sink++;
  };

  // Warm both paths up (JIT) before counting.
  for (let i = 0; i < 50; i++) {
    hmac(1000);
    totp(300);
  }
  const measured = await interleave({ floor: hmac, ours: totp, floorChunk: 300, oursChunk: 100, milliseconds, ratio: (totpRate, hmacRate) => totpRate / (hmacRate / 3) });
  if (sink === 0.5) console.log(sink); // keep `sink` observable
  const { floorOpsPerSecond: hmacOpsPerSecond, oursOpsPerSecond: totpOpsPerSecond, ...paired } = measured;
  return { hmacOpsPerSecond, totpOpsPerSecond, floorOfThreeOpsPerSecond: hmacOpsPerSecond / 3, ...paired };
}
