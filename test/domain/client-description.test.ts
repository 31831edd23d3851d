/** What a person reads of a client: the sessions list's browser and system, and a trusted browser's label, both from bowser. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { browserLabel, describeClient } from "../../src/services/sessions/client-description.js";

const firefoxLinux = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const edgeWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0";
const safariIphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile/15E148 Safari/604.1";
const headlessChrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36";

describe("client descriptions", () => {
  it("describes a session's client by browser with its major version and system, nothing for an unknown one", () => {
    assert.deepEqual(describeClient(firefoxLinux), { browser: "Firefox 128", os: "Linux" });
    assert.deepEqual(describeClient(edgeWindows), { browser: "Microsoft Edge 126", os: "Windows" });
    assert.deepEqual(describeClient("curl/8.5"), { browser: null, os: null });
    assert.deepEqual(describeClient(null), { browser: null, os: null });
  });

  it("describes a repeated agent the same from its remembered description, each agent by its own", () => {
    for (let round = 0; round < 2; round++) {
      assert.deepEqual(describeClient(safariIphone), { browser: "Safari 17", os: "iOS" });
      assert.deepEqual(describeClient(headlessChrome), { browser: "Chrome 131", os: "Linux" });
    }
    assert.ok(Object.isFrozen(describeClient(safariIphone)), "a remembered description cannot be changed by a caller");
    // More distinct agents than are remembered: the map starts over and still answers each by its own.
    for (let version = 0; version < 600; version++) assert.equal(describeClient(`Mozilla/5.0 (X11; Linux x86_64; rv:${version}.0) Gecko/20100101 Firefox/${version}.0`).browser, `Firefox ${version}`);
    assert.deepEqual(describeClient(firefoxLinux), { browser: "Firefox 128", os: "Linux" });
  });

  it("labels a trusted browser by its name and system, never the whole user agent", () => {
    assert.equal(browserLabel(firefoxLinux), "Firefox on Linux");
    assert.equal(browserLabel(edgeWindows), "Microsoft Edge on Windows");
    assert.equal(browserLabel(safariIphone), "Safari on iOS");
    assert.equal(browserLabel(headlessChrome), "Chrome on Linux");
    assert.equal(browserLabel("curl/8.5"), "Unknown browser");
    assert.equal(browserLabel(null), "Unknown browser");
    assert.equal(browserLabel(`${firefoxLinux} ${"x".repeat(10_000)}`), "Firefox on Linux", "a long agent is cut before parsing");
  });
});
