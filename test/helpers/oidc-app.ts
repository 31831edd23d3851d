/**
 * A small app for the Chromium journeys: a real relying party (openid-client,
 * code + PKCE, client_secret_basic, ID tokens verified against the JWKS) on
 * its own origin. `/start?max_age=…&acr_values=…` begins a sign-in; `/cb`
 * finishes it and shows the ID token's claims as JSON, or the error twostep
 * sent back (`{"error": …, "error_description": …}`) without redeeming anything;
 * `/backchannel-logout` keeps the logout tokens POSTed to it.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as client from "openid-client";
import { registerApp, relyingParty, type OidcServer } from "./oidc.js";

export interface RelyingPartyApp {
  origin: string;
  clientId: string;
  /** The back-channel logout tokens the app received, in order. */
  logoutTokens: string[];
  close(): Promise<void>;
}

export async function startRelyingParty(server: OidcServer, options: { name?: string; requireTwoFactor?: boolean } = {}): Promise<RelyingPartyApp> {
  const logoutTokens: string[] = [];
  const pending = new Map<string, { verifier: string; nonce: string; maxAge?: number }>();
  let config: client.Configuration | undefined;
  const http: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? "/", origin);
      if (url.pathname === "/start") {
        const verifier = client.randomPKCECodeVerifier();
        const state = client.randomState();
        const nonce = client.randomNonce();
        const maxAge = url.searchParams.get("max_age");
        const acrValues = url.searchParams.get("acr_values");
        pending.set(state, { verifier, nonce, ...(maxAge !== null ? { maxAge: Number(maxAge) } : {}) });
        const target = client.buildAuthorizationUrl(config!, {
          redirect_uri: `${origin}/cb`,
          scope: "openid email",
          code_challenge: await client.calculatePKCECodeChallenge(verifier),
          code_challenge_method: "S256",
          state,
          nonce,
          ...(maxAge !== null ? { max_age: maxAge } : {}),
          ...(acrValues !== null ? { acr_values: acrValues } : {}),
        });
        response.writeHead(302, { location: target.href }).end();
        return;
      }
      if (url.pathname === "/backchannel-logout" && request.method === "POST") {
        let body = "";
        for await (const chunk of request) body += String(chunk);
        logoutTokens.push(new URLSearchParams(body).get("logout_token") ?? "");
        response.writeHead(200).end();
        return;
      }
      if (url.pathname === "/cb") {
        const state = url.searchParams.get("state") ?? "";
        const request = pending.get(state);
        if (!request) return void response.writeHead(400).end("unknown state");
        try {
          const tokens = await client.authorizationCodeGrant(config!, url, { pkceCodeVerifier: request.verifier, expectedState: state, expectedNonce: request.nonce, ...(request.maxAge !== undefined ? { maxAge: request.maxAge } : {}) });
          response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(tokens.claims()));
        } catch (error) {
          // twostep answered the sign-in with an error (openid-client checks state and iss first).
          if (!(error instanceof client.AuthorizationResponseError)) throw error;
          response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ error: error.error, error_description: error.error_description }));
        }
        return;
      }
      response.writeHead(404).end();
    })().catch((error: unknown) => response.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const app = await registerApp(server, { name: options.name ?? "Customer Control Panel", redirectUris: [`${origin}/cb`], requireTwoFactor: options.requireTwoFactor ?? false, backchannelLogoutUri: `${origin}/backchannel-logout` });
  config = await relyingParty(server, app);
  return { origin, clientId: app.clientId, logoutTokens, close: () => new Promise<void>((resolve) => http.close(() => resolve())) };
}
