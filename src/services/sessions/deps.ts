import type { DepsOf, PortsOf } from "../deps.js";

/** What sessions, step-up and reauthentication may touch: these members of ServiceDeps and these ports of the store (with what the flows it calls touch). */
export type SessionsDeps = DepsOf<"clock" | "codeMac" | "config" | "logger" | "newId" | "passwords" | "places" | "randomBytes" | "recoveryCodeHasher" | "secretBox" | "sms", "accounts" | "challenges" | "codes" | "counters" | "events" | "knownBrowsers" | "messages" | "methods" | "oidcClients" | "oidcPayloads" | "reminders" | "sessionLogins" | "sessions" | "signingKeys" | "trustedBrowsers">;

/** The store ports of sessions, step-up and reauthentication, as a transaction hands them to its work. */
export type SessionsPorts = PortsOf<"accounts" | "challenges" | "codes" | "counters" | "events" | "knownBrowsers" | "messages" | "methods" | "oidcClients" | "oidcPayloads" | "reminders" | "sessionLogins" | "sessions" | "signingKeys" | "trustedBrowsers">;
