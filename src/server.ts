/** Starts the server: `node dist/server.js [--demo]` (see serve.ts). On a Node older than 24 it
 * prints one line and exits 1 before loading anything that could fail on that Node. */
import { refuseOlderNode } from "./node-version.js";

refuseOlderNode("`npm start`");
await import("./serve.js");
