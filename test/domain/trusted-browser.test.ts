/** L7: when a trusted browser skips the second step, and its label. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { browserLabel, trustedBrowserExpiry, trustedBrowserSkipsSecondStep } from "../../src/domain/login-flow/trusted-browser.js";

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

  it("labels a browser by its name and system, never the whole user agent", () => {
    assert.equal(browserLabel("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"), "Firefox on Linux");
    assert.equal(browserLabel("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0"), "Edge on Windows");
    assert.equal(browserLabel("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile/15E148 Safari/604.1"), "Safari on iOS");
    assert.equal(browserLabel("curl/8.5"), "Unknown browser");
    assert.equal(browserLabel(null), "Unknown browser");
  });
});
