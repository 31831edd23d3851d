import type { DepsOf, PortsOf } from "../deps.js";

/** What recovery codes may touch: these members of ServiceDeps and these ports of the store (with what the flows it calls touch). */
export type RecoveryDeps = DepsOf<"clock" | "codeMac" | "config" | "logger" | "newId" | "passwords" | "places" | "randomBytes" | "recoveryCodeHasher" | "secretBox" | "sms", "accounts" | "challenges" | "codes" | "counters" | "events" | "knownBrowsers" | "messages" | "methods" | "oidcClients" | "oidcPayloads" | "reminders" | "sessionLogins" | "sessions" | "signingKeys" | "trustedBrowsers">;

/** The store ports of recovery codes, as a transaction hands them to its work. */
export type RecoveryPorts = PortsOf<"accounts" | "challenges" | "codes" | "counters" | "events" | "knownBrowsers" | "messages" | "methods" | "oidcClients" | "oidcPayloads" | "reminders" | "sessionLogins" | "sessions" | "signingKeys" | "trustedBrowsers">;
