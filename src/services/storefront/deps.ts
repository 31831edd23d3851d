import type { DepsOf, PortsOf } from "../deps.js";

/** What the storefront manager may touch: these members of ServiceDeps and these ports of the store (with what the flows it calls touch). */
export type StorefrontDeps = DepsOf<"clock" | "codeMac" | "config" | "logger" | "newId" | "passwords" | "places" | "randomBytes" | "recoveryCodeHasher" | "secretBox" | "sms", "accounts" | "challenges" | "codes" | "counters" | "customers" | "events" | "knownBrowsers" | "messages" | "methods" | "oidcClients" | "oidcPayloads" | "reminders" | "sessionLogins" | "sessions" | "signingKeys" | "trustedBrowsers">;

/** The store ports of the storefront manager, as a transaction hands them to its work. */
export type StorefrontPorts = PortsOf<"accounts" | "challenges" | "codes" | "counters" | "customers" | "events" | "knownBrowsers" | "messages" | "methods" | "oidcClients" | "oidcPayloads" | "reminders" | "sessionLogins" | "sessions" | "signingKeys" | "trustedBrowsers">;
