import type { Config } from "../config.js";
import type { PasswordHasher } from "../security/passwords.js";
import type { RecoveryCodeHasher } from "../security/recovery-code-hash.js";
import type { SecretBox } from "../security/secret-box.js";
import type { ClientInfo, Store, Stores } from "../store/store.js";
export type { Config, TrustProxy } from "../config.js";

/** The narrow dependencies every service takes; tests swap any of them (a fixed clock, a fast hasher). */
export interface ServiceDeps {
  store: Store;
  config: Config;
  clock: Clock;
  secretBox: SecretBox;
  passwords: PasswordHasher;
  recoveryCodeHasher: RecoveryCodeHasher;
  /** Random bytes; crypto.randomBytes outside tests. */
  randomBytes: (size: number) => Buffer;
  newId: () => string;
  logger: Logger;
  /**
   * Keyed hash (HMAC-SHA256 with a key derived from the encryption key) for short
   * codes such as SMS codes: a 6-digit code has too little entropy for a plain
   * hash to hide it, but without the key the stored hash says nothing.
   */
  codeMac: (input: string) => string;
  /** Where SMS codes go: the development outbox, Twilio or a signed webhook (src/gateways/sms). */
  sms: SmsGateway;
  /** Where emails go, sent by the message dispatcher after commit: the development outbox, SMTP, or none (src/gateways/email). */
  email: EmailGateway;
  /** Issue 17: an approximate place for a client address (a MaxMind-format file, TWOSTEP_GEOIP_DB), or none (src/gateways/places.ts). */
  places: PlaceFinder;
  /**
   * How the message dispatcher sends back-channel logouts. Absent: the provider's own sender
   * (services/apps/backchannel-delivery.ts), made at the first send; bootstrap sets a counted one
   * when the metrics run.
   */
  backchannel?: BackchannelSender;
}

/** One back-channel logout to send: the app, and the logout token's `sub` (the user's id) and `sid` (the provider session's id for this app). */
export interface BackchannelLogout {
  clientId: string;
  sub: string;
  sid: string;
}

export type BackchannelOutcome = { ok: true } | { ok: false; transient: boolean; reason: string };

/** The port back-channel logouts leave through (the message dispatcher's second channel). */
export interface BackchannelSender {
  send(logout: BackchannelLogout): Promise<BackchannelOutcome>;
}

/** The port of the GeoIP lookup: "Berlin, Germany", "Germany", or null when it knows nothing (or has no file). */
export interface PlaceFinder {
  placeOf(address: string | null): string | null;
}

/** One email: a text part and an HTML part. Never holds a code, a seed or a token (a reset link is the one exception). */
export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Transient: worth another try later (connection errors, 4xx SMTP replies); permanent otherwise (5xx). */
export type EmailSendResult = { ok: true; providerMessageId: string } | { ok: false; transient: boolean; reason: string };

/** The port every email adapter implements. */
export interface EmailGateway {
  name: string;
  send(message: EmailMessage): Promise<EmailSendResult>;
  /** Frees connections (SMTP pool) at shutdown. */
  close?(): void;
}

/** A text message to one E.164 number. The body holds a code: never log it. */
export interface SmsMessage {
  id: string;
  to: string;
  body: string;
}

export type SmsSendResult = { ok: true; providerMessageId: string } | { ok: false; transient: boolean; reason: string };

/** The port every SMS provider adapter implements. */
export interface SmsGateway {
  name: string;
  send(message: SmsMessage): Promise<SmsSendResult>;
}

export interface Clock {
  now(): number;
}

/** The subset of pino the services use. Never pass a code, secret or token to it. */
export interface Logger {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

/** Who is asking: recorded with every event (A4). */
export type RequestContext = ClientInfo;

export const systemClock: Clock = { now: () => Date.now() };

/** The names of the store's ports (`src/store/store.ts`). */
export type PortName = keyof Stores;

/** Some of the store's ports: what a flow's functions take where they run inside a transaction. */
export type PortsOf<P extends PortName> = Pick<Stores, P>;

/** Those ports outside a transaction, and a transaction that hands the same ports bound to one connection. */
export type StoreOf<P extends PortName> = PortsOf<P> & { transaction<T>(work: (tx: PortsOf<P>) => Promise<T>): Promise<T> };

/**
 * What one flow may touch: some members of ServiceDeps and some ports of the
 * store. Each flow folder names its own (`<flow>/deps.ts`), so a signature
 * says what a function may reach; the full ServiceDeps fits every one.
 */
export type DepsOf<M extends Exclude<keyof ServiceDeps, "store">, P extends PortName> = Pick<ServiceDeps, M> & { store: StoreOf<P> };
