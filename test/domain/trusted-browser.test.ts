/** L7: when a trusted browser skips the second step, and its label. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { trustedBrowserExpiry, trustedBrowserSkipsSecondStep } from "../../src/domain/login-flow/trusted-browser.js";

const day = 86_400_000;
const now = 100 * day;
const browser = { userId: "u1", createdAt: now - 5 * day, expiresAt: now + 25 * day };

describe("trusted browser", () => {
  it("skips only for the same user, while alive and within today's policy days", () => {
    assert.equal(trustedBrowserSkipsSecondStep(browser, "u1", 30, now), true);
    assert.equal(trustedBrowserSkipsSecondStep(browser, "u2", 30, now), false, "another user's browser");
    assert.equal(trustedBrowserSkipsSecondStep(null, "u1", 30, now), false);
    assert.equal(trustedBrowserSkipsSecondStep(browser, "u1", 0, now), false, "policy turned it off");
    assert.equal(trustedBrowserSkipsSecondStep(browser, "u1", 3, now), false, "policy lowered to fewer days than the browser's age");
    assert.equal(trustedBrowserSkipsSecondStep(browser, "u1", 30, now + 25 * day), false, "expired");
  });

  it("expires the given days later", () => {
    assert.equal(trustedBrowserExpiry(now, 30), now + 30 * day);
  });
});
