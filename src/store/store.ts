import type { AccountStore } from "./ports/accounts.js";
import type { ChallengeStore } from "./ports/challenges.js";
import type { CodeStore } from "./ports/codes.js";
import type { CounterStore } from "./ports/counters.js";
import type { EventStore } from "./ports/events.js";
import type { MessageStore } from "./ports/messages.js";
import type { MethodStore } from "./ports/methods.js";
import type { OutboxStore } from "./ports/outbox.js";
import type { SealedValueStore } from "./ports/sealed-values.js";
import type { SessionStore } from "./ports/sessions.js";
import type { ReminderStore } from "./ports/reminders.js";
import type { KnownBrowserStore } from "./ports/known-browsers.js";
import type { TrustedBrowserStore } from "./ports/trusted-browsers.js";
import type { PasswordResetStore } from "./ports/password-resets.js";
import type { CustomerStore } from "./ports/customers.js";
import type { ApiKeyStore } from "./ports/api-keys.js";
import type { ResetRequestStore } from "./ports/reset-requests.js";
import type { OidcPayloadStore } from "./ports/oidc-payloads.js";
import type { OidcClientStore } from "./ports/oidc-clients.js";
import type { SigningKeyStore } from "./ports/oidc-signing-keys.js";
import type { SessionLoginStore } from "./ports/oidc-session-logins.js";

export type { AccountStore, ApiKeyStore, ChallengeStore, CodeStore, CounterStore, CustomerStore, EventStore, MessageStore, MethodStore, OutboxStore, PasswordResetStore, KnownBrowserStore, ReminderStore, ResetRequestStore, SealedValueStore, SessionStore, TrustedBrowserStore };
export type { OidcClientStore, OidcPayloadStore, SessionLoginStore, SigningKeyStore };
export type { SessionLogin } from "./ports/oidc-session-logins.js";
export type { SigningKey } from "./ports/oidc-signing-keys.js";
export type { OidcClient } from "./ports/oidc-clients.js";
export type { OidcPayload, StoredOidcPayload } from "./ports/oidc-payloads.js";
export type { TrustedBrowser } from "./ports/trusted-browsers.js";
export type { IssuedChallenge } from "./ports/challenges.js";
export type { ApiKey, NewApiKey } from "./ports/api-keys.js";
export type { SealedValue } from "./ports/sealed-values.js";
export type { ResetRequest, ResetRequestStatus } from "./ports/reset-requests.js";
export type { NewOutgoingMessage, OutgoingMessage } from "./ports/messages.js";
export type { AttemptCount, ClientInfo, LockSchedule } from "./ports/shared.js";
export type { SessionWithClient } from "./ports/sessions.js";
export type { AttemptCounts, AttemptToCount } from "./ports/sessions.js";

/**
 * The storage ports, one per concept (Lucia's adapter, Kratos' persister per
 * flow). SQLite (embedded default) and PostgreSQL (production) implement every
 * one with the same SQL, and each has its own conformance file under
 * `test/store/conformance/`. Every "single use" operation is one conditional
 * write, so two racing requests cannot both win.
 */
export interface Stores {
  accounts: AccountStore;
  methods: MethodStore;
  codes: CodeStore;
  /** WebAuthn challenges by hash, bound and single use. */
  challenges: ChallengeStore;
  sessions: SessionStore;
  counters: CounterStore;
  events: EventStore;
  outbox: OutboxStore;
  /** The transactional outbox: messages reporting a change, sent after it commits. */
  messages: MessageStore;
  /** The sealed columns by key id, for key rotation (src/store/sealed-columns.ts). */
  sealedValues: SealedValueStore;
  /** P1: reminders before a 2FA deadline, claimed once each. */
  reminders: ReminderStore;
  /** Issue 7: browsers that completed a login (they skip the per-account password delay). */
  knownBrowsers: KnownBrowserStore;
  /** L7: browsers that skip the second step ("Don't ask again on this browser"). */
  trustedBrowsers: TrustedBrowserStore;
  /** PR1: reset links by token hash, used once. */
  passwordResets: PasswordResetStore;
  /** A3: a reseller's customer accounts and their users' 2FA status (the storefront manager). */
  customers: CustomerStore;
  /** API1: platform API keys by hash, revoked by a conditional write. */
  apiKeys: ApiKeyStore;
  /** A2: 2FA reset requests, settled once each by platform support. */
  resetRequests: ResetRequestStore;
  /** Issue 15: the OpenID Connect provider's models by id hash; codes and refresh tokens consumed by a conditional write. */
  oidcPayloads: OidcPayloadStore;
  /** Issue 15: the apps that log in through twostep, secrets as hashes. */
  oidcClients: OidcClientStore;
  /** Issue 15: the provider's signing keys, sealed, shared by every instance. */
  signingKeys: SigningKeyStore;
  /** Issue 15: the factor each twostep session's login ended with (the apps' amr and acr). */
  sessionLogins: SessionLoginStore;
}

/**
 * What the services hold (`deps.store`): the ports, each call its own
 * statement, plus `transaction`. A transaction hands `work` a second set of
 * ports bound to its connection; that set has no `transaction` (no nesting by
 * type), and while `work` runs, the outer ports and `transaction` refuse to
 * run (they throw `StoreMisuseError`). So nothing inside a transaction can
 * reach the outer connection: on SQLite that would deadlock, on PostgreSQL
 * it would silently run outside the transaction.
 */
export interface Store extends Stores {
  /** Runs `work` in one transaction: all of its writes land, or none do. */
  transaction<T>(work: (tx: Stores) => Promise<T>): Promise<T>;
}

/** A bug: the outer store was used inside a transaction. Never caught, always fixed. */
export class StoreMisuseError extends Error {
  override name = "StoreMisuseError";
}
