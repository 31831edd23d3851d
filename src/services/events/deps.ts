import type { DepsOf, PortsOf } from "../deps.js";

/** What the event log may touch: these members of ServiceDeps and these ports of the store (with what the flows it calls touch). */
export type EventsDeps = DepsOf<"clock" | "config" | "newId" | "passwords", "accounts" | "events" | "messages" | "methods" | "trustedBrowsers">;

/** The store ports of the event log, as a transaction hands them to its work. */
export type EventsPorts = PortsOf<"accounts" | "events" | "messages" | "methods" | "trustedBrowsers">;
