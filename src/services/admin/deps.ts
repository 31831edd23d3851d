import type { DepsOf, PortsOf } from "../deps.js";

/** What Manage users may touch: these members of ServiceDeps and these ports of the store (with what the flows it calls touch). */
export type AdminDeps = DepsOf<"clock" | "codeMac" | "config" | "email" | "logger" | "newId" | "passwords" | "randomBytes" | "recoveryCodeHasher" | "secretBox" | "sms", "accounts" | "challenges" | "codes" | "counters" | "events" | "knownBrowsers" | "messages" | "methods" | "oidcClients" | "oidcPayloads" | "outbox" | "passwordResets" | "reminders" | "sessionLogins" | "sessions" | "signingKeys" | "trustedBrowsers">;

/** The store ports of Manage users, as a transaction hands them to its work. */
export type AdminPorts = PortsOf<"accounts" | "challenges" | "codes" | "counters" | "events" | "knownBrowsers" | "messages" | "methods" | "oidcClients" | "oidcPayloads" | "outbox" | "passwordResets" | "reminders" | "sessionLogins" | "sessions" | "signingKeys" | "trustedBrowsers">;
