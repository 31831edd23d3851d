import type { DepsOf, PortsOf } from "../deps.js";

/** What adding, confirming, resetting and removing methods may touch: these members of ServiceDeps and these ports of the store (with what the flows it calls touch). */
export type EnrolmentDeps = DepsOf<"clock" | "codeMac" | "config" | "logger" | "newId" | "passwords" | "places" | "randomBytes" | "recoveryCodeHasher" | "secretBox" | "sms", "accounts" | "challenges" | "codes" | "counters" | "events" | "knownBrowsers" | "messages" | "methods" | "oidcClients" | "oidcPayloads" | "reminders" | "sessionLogins" | "sessions" | "signingKeys" | "trustedBrowsers">;

/** The store ports of adding, confirming, resetting and removing methods, as a transaction hands them to its work. */
export type EnrolmentPorts = PortsOf<"accounts" | "challenges" | "codes" | "counters" | "events" | "knownBrowsers" | "messages" | "methods" | "oidcClients" | "oidcPayloads" | "reminders" | "sessionLogins" | "sessions" | "signingKeys" | "trustedBrowsers">;
