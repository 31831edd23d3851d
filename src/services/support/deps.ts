import type { DepsOf, PortsOf } from "../deps.js";

/** What support-reviewed resets may touch: these members of ServiceDeps and these ports of the store (with what the flows it calls touch). */
export type SupportDeps = DepsOf<"clock" | "codeMac" | "config" | "logger" | "newId" | "passwords" | "places" | "randomBytes" | "recoveryCodeHasher" | "secretBox" | "sms", "accounts" | "challenges" | "codes" | "counters" | "events" | "knownBrowsers" | "messages" | "methods" | "oidcClients" | "oidcPayloads" | "reminders" | "resetRequests" | "sessionLogins" | "sessions" | "signingKeys" | "trustedBrowsers">;

/** The store ports of support-reviewed resets, as a transaction hands them to its work. */
export type SupportPorts = PortsOf<"accounts" | "challenges" | "codes" | "counters" | "events" | "knownBrowsers" | "messages" | "methods" | "oidcClients" | "oidcPayloads" | "reminders" | "resetRequests" | "sessionLogins" | "sessions" | "signingKeys" | "trustedBrowsers">;
