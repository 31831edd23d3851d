import type { DepsOf, PortsOf } from "../deps.js";

/** What 2FA policy and reminders may touch: these members of ServiceDeps and these ports of the store (with what the flows it calls touch). */
export type PolicyDeps = DepsOf<"clock" | "config" | "logger" | "newId" | "passwords", "accounts" | "events" | "messages" | "methods" | "reminders" | "trustedBrowsers">;

/** The store ports of 2FA policy and reminders, as a transaction hands them to its work. */
export type PolicyPorts = PortsOf<"accounts" | "events" | "messages" | "methods" | "reminders" | "trustedBrowsers">;
