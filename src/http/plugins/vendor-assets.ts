import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { FastifyInstance } from "fastify";

/**
 * Browser libraries the pages use, served from this server (never a CDN, so the
 * CSP stays `script-src 'self'`): today @simplewebauthn/browser's bundle, which
 * defines `SimpleWebAuthnBrowser` (startRegistration, startAuthentication) for
 * the security-key and passkey ceremonies. Read once at start; cached like the
 * other assets.
 */
const require = createRequire(import.meta.url);

export const vendorScripts = {
  "/assets/vendor/simplewebauthn-browser.js": join(dirname(require.resolve("@simplewebauthn/browser")), "..", "dist", "bundle", "index.umd.min.js"),
};

export function registerVendorAssets(app: FastifyInstance): void {
  for (const [path, file] of Object.entries(vendorScripts)) {
    const body = readFileSync(file);
    app.get(path, { schema: { hide: true } }, async (_request, reply) =>
      reply.header("content-type", "text/javascript; charset=utf-8").header("cache-control", "public, max-age=3600").send(body),
    );
  }
}
