import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { FormClient } from "../helpers/browser-client.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { keyFromSetupPage } from "../helpers/totp.js";
import { hasZbarimg, pngFromDataUrl, zbarDecodePng } from "./tools.js";

const skip = hasZbarimg ? false : "zbarimg is not installed (Debian package zbar-tools)";
const outputDir = "test-output/interop";

function unescapeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[name]!);
}

/** The exact otpauth URI authenticator apps read (SECURITY 19): label Issuer:account, secret, issuer, nothing else. */
function assertKeyUriForm(uri: string, issuer: string, email: string, key: string) {
  assert.equal(uri, `otpauth://totp/${encodeURIComponent(issuer)}:${encodeURIComponent(email)}?secret=${key}&issuer=${encodeURIComponent(issuer)}`);
  const parsed = new URL(uri);
  assert.equal(parsed.protocol, "otpauth:");
  assert.equal(parsed.host, "totp");
  assert.equal(decodeURIComponent(parsed.pathname.slice(1)), `${issuer}:${email}`);
  assert.deepEqual([...parsed.searchParams.keys()], ["secret", "issuer"], "SHA-1, 6 digits and 30 s are the defaults, so no algorithm/digits/period parameters");
  assert.equal(parsed.searchParams.get("secret"), key);
  assert.equal(parsed.searchParams.get("issuer"), issuer);
  assert.match(key, /^[A-Z2-7]{32}$/, "160-bit key, base32 without padding");
}

/** M1: the QR code a phone scans holds exactly the otpauth URI (decoded by zbar, an independent reader). */
describe("interop: zbarimg reads the setup QR code", { skip }, () => {
  before(() => mkdir(outputDir, { recursive: true }));

  for (const issuer of ["twostep", "Acme Hosting"]) {
    describe(`issuer "${issuer}"`, () => {
      let t: TestApp;
      before(async () => {
        t = await createTestApp(issuer === "twostep" ? {} : { env: { TWOSTEP_ISSUER: issuer } });
      });
      after(() => t?.close());
      const slug = issuer.toLowerCase().replace(/\W+/g, "-");

      it("API: qrCodePng decodes to exactly otpauthUri", async () => {
        const { user, password } = await seedUser(t.deps, { kind: "customer" });
        const login = await t.app.inject({ method: "POST", url: "/api/login", payload: { email: user.email, password } });
        assert.equal(login.statusCode, 200);
        const token = String(login.json().sessionToken);
        const setup = await t.app.inject({ method: "POST", url: "/api/me/two-factor/totp", payload: { password }, headers: { authorization: `Bearer ${token}` } });
        assert.equal(setup.statusCode, 200);
        const body = setup.json() as { key: string; otpauthUri: string; qrCodePng: string };

        assertKeyUriForm(body.otpauthUri, issuer, user.email, body.key);
        const png = pngFromDataUrl(body.qrCodePng);
        assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "a PNG signature");
        const decoded = await zbarDecodePng(png, `${outputDir}/qr-api-${slug}.png`);
        assert.equal(decoded, body.otpauthUri);
      });

      it("setup page: the <img id=qr-code> decodes to the URI and key shown as text", async () => {
        const { user, password } = await seedUser(t.deps, { kind: "customer" });
        const browser = new FormClient(t.app);
        let response = await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
        assert.equal(response.headers.location, "/settings/security");
        response = await browser.post("/settings/two-factor/setup", { password }, { csrfFrom: "/settings/two-factor/setup" });
        assert.equal(response.statusCode, 303);
        response = await browser.get(String(response.headers.location));
        assert.equal(response.statusCode, 200);

        const img = /<img src="([^"]+)"[^>]*id="qr-code"[^>]*>/.exec(response.body);
        assert.ok(img, "the setup page has <img id=qr-code>");
        const uriText = /<code class="uri" id="totp-uri">([^<]+)<\/code>/.exec(response.body);
        assert.ok(uriText, "the setup page shows the setup link");
        const shownUri = unescapeHtml(uriText[1]!);
        const key = keyFromSetupPage(response.body);

        assertKeyUriForm(shownUri, issuer, user.email, key);
        const decoded = await zbarDecodePng(pngFromDataUrl(unescapeHtml(img[1]!)), `${outputDir}/qr-page-${slug}.png`);
        assert.equal(decoded, shownUri);
      });
    });
  }
});
