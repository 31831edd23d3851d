/** An app of the platform that logs its users in through twostep (issue 15). */
export interface OidcClient {
  id: string;
  name: string;
  /** SHA-256 of the client secret (256 random bits); null for a public client (PKCE, no secret). */
  secretHash: string | null;
  /** Matched exactly by the provider: no prefix, no wildcard. */
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string | null;
  /** Origins (`https://panel.example`) a forward-auth proxy may ask about for this app. */
  forwardAuthOrigins: string[];
  /** The app demands a second factor whatever the account policy says. */
  requireTwoFactor: boolean;
  /** The app honours a browser the user asked twostep to remember (skips the second step). */
  rememberBrowser: boolean;
  createdAt: number;
  secretRotatedAt: number | null;
}

export interface OidcClientStore {
  /** False when the name is taken (names are unique). */
  insertOidcClient(client: OidcClient): Promise<boolean>;
  findOidcClient(id: string): Promise<OidcClient | null>;
  findOidcClientByName(name: string): Promise<OidcClient | null>;
  /** Every app, by name. */
  listOidcClients(): Promise<OidcClient[]>;
  /** Replaces the secret's hash; false when there is no such confidential client. */
  replaceOidcClientSecret(id: string, secretHash: string, now: number): Promise<boolean>;
  deleteOidcClient(id: string): Promise<boolean>;
}
