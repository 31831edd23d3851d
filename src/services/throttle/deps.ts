import type { DepsOf, PortsOf } from "../deps.js";

/** What the attempt counters may touch: these members of ServiceDeps and these ports of the store (with what the flows it calls touch). */
export type ThrottleDeps = DepsOf<"clock" | "codeMac" | "config" | "newId" | "passwords", "accounts" | "counters" | "events" | "knownBrowsers" | "messages" | "methods" | "trustedBrowsers">;

/** The store ports of the attempt counters, as a transaction hands them to its work. */
export type ThrottlePorts = PortsOf<"accounts" | "counters" | "events" | "knownBrowsers" | "messages" | "methods" | "trustedBrowsers">;
