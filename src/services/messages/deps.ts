import type { DepsOf, PortsOf } from "../deps.js";

/** What the outboxes may touch: these members of ServiceDeps and these ports of the store (with what the flows it calls touch). */
export type MessagesDeps = DepsOf<"clock" | "codeMac" | "config" | "email" | "logger" | "newId" | "passwords" | "places" | "randomBytes" | "recoveryCodeHasher" | "secretBox" | "sms", "accounts" | "challenges" | "codes" | "counters" | "events" | "knownBrowsers" | "messages" | "methods" | "oidcClients" | "oidcPayloads" | "outbox" | "reminders" | "sessionLogins" | "sessions" | "signingKeys" | "trustedBrowsers">;

/** The store ports of the outboxes, as a transaction hands them to its work. */
export type MessagesPorts = PortsOf<"accounts" | "challenges" | "codes" | "counters" | "events" | "knownBrowsers" | "messages" | "methods" | "oidcClients" | "oidcPayloads" | "outbox" | "reminders" | "sessionLogins" | "sessions" | "signingKeys" | "trustedBrowsers">;
