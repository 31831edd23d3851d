import type { DepsOf, PortsOf } from "../deps.js";

/** What the login (password → second step → session) may touch: these members of ServiceDeps and these ports of the store (with what the flows it calls touch). */
export type LoginDeps = DepsOf<"clock" | "codeMac" | "config" | "logger" | "newId" | "passwords" | "places" | "randomBytes" | "recoveryCodeHasher" | "secretBox" | "sms", "accounts" | "challenges" | "codes" | "counters" | "events" | "knownBrowsers" | "messages" | "methods" | "oidcClients" | "oidcPayloads" | "reminders" | "sessionLogins" | "sessions" | "signingKeys" | "trustedBrowsers">;

/** The store ports of the login (password → second step → session), as a transaction hands them to its work. */
export type LoginPorts = PortsOf<"accounts" | "challenges" | "codes" | "counters" | "events" | "knownBrowsers" | "messages" | "methods" | "oidcClients" | "oidcPayloads" | "reminders" | "sessionLogins" | "sessions" | "signingKeys" | "trustedBrowsers">;
