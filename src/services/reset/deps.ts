import type { DepsOf, PortsOf } from "../deps.js";

/** What password reset and invitations may touch: these members of ServiceDeps and these ports of the store (with what the flows it calls touch). */
export type ResetDeps = DepsOf<"clock" | "codeMac" | "config" | "email" | "logger" | "newId" | "passwords" | "places" | "randomBytes" | "recoveryCodeHasher" | "secretBox" | "sms", "accounts" | "challenges" | "codes" | "counters" | "events" | "knownBrowsers" | "messages" | "methods" | "oidcClients" | "oidcPayloads" | "outbox" | "passwordResets" | "reminders" | "sessionLogins" | "sessions" | "signingKeys" | "trustedBrowsers">;

/** The store ports of password reset and invitations, as a transaction hands them to its work. */
export type ResetPorts = PortsOf<"accounts" | "challenges" | "codes" | "counters" | "events" | "knownBrowsers" | "messages" | "methods" | "oidcClients" | "oidcPayloads" | "outbox" | "passwordResets" | "reminders" | "sessionLogins" | "sessions" | "signingKeys" | "trustedBrowsers">;
