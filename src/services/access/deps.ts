import type { DepsOf, PortsOf } from "../deps.js";

/** What the access table, users and accounts may touch: these members of ServiceDeps and these ports of the store (with what the flows it calls touch). */
export type AccessDeps = DepsOf<"clock" | "config" | "newId" | "passwords", "accounts" | "events" | "messages" | "methods" | "trustedBrowsers">;

/** The store ports of the access table, users and accounts, as a transaction hands them to its work. */
export type AccessPorts = PortsOf<"accounts" | "events" | "messages" | "methods" | "trustedBrowsers">;
