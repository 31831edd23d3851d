import type { DepsOf, PortsOf } from "../deps.js";

/** What platform API keys may touch: these members of ServiceDeps and these ports of the store (with what the flows it calls touch). */
export type ApiKeysDeps = DepsOf<"clock" | "config" | "newId" | "passwords" | "randomBytes", "accounts" | "apiKeys" | "events" | "messages" | "methods" | "trustedBrowsers">;

/** The store ports of platform API keys, as a transaction hands them to its work. */
export type ApiKeysPorts = PortsOf<"accounts" | "apiKeys" | "events" | "messages" | "methods" | "trustedBrowsers">;
