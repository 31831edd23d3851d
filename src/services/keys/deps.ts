import type { DepsOf, PortsOf } from "../deps.js";

/** What key rotation may touch: these members of ServiceDeps and these ports of the store (with what the flows it calls touch). */
export type KeysDeps = DepsOf<"logger" | "secretBox", "sealedValues">;

/** The store ports of key rotation, as a transaction hands them to its work. */
export type KeysPorts = PortsOf<"sealedValues">;
