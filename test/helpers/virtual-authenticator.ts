import type { BrowserContext, CDPSession, Page } from "playwright-core";

/**
 * Chromium's virtual authenticator (the DevTools protocol's WebAuthn domain),
 * reached through playwright-core: a platform authenticator with user
 * verification that answers every prompt at once, so a journey can register
 * and use security keys and passkeys with no person at the keyboard.
 */
export interface VirtualAuthenticator {
  session: CDPSession;
  id: string;
  /** The credentials it holds, with their signature counters. */
  credentials(): Promise<{ credentialId: string; signCount: number; rpId?: string }[]>;
  /** Forgets every credential: the browser then holds no key for the site. */
  clear(): Promise<void>;
  remove(): Promise<void>;
}

export async function addVirtualAuthenticator(context: BrowserContext, page: Page): Promise<VirtualAuthenticator> {
  const session = await context.newCDPSession(page);
  await session.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId: id } = await session.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return {
    session,
    id,
    credentials: async () => (await session.send("WebAuthn.getCredentials", { authenticatorId: id })).credentials,
    clear: async () => void (await session.send("WebAuthn.clearCredentials", { authenticatorId: id })),
    remove: async () => void (await session.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId: id })),
  };
}
