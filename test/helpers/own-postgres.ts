/**
 * A PostgreSQL server of one test's own, which the test may stop and start again
 * on the same port (the shared test server of scripts/postgres-test-cluster.sh
 * serves other files at the same time and must stay up). The same binaries and
 * settings as that script: Debian's /usr/lib/postgresql/<version>/bin, 127.0.0.1
 * on a free port, a socket in the temporary folder, a random password, run as
 * the `postgres` OS user when the tests run as root. Any failure throws.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { freePort } from "./instances.js";

export interface OwnPostgres {
  url: string;
  stop(): void;
  start(): void;
  destroy(): void;
}

function binaries(): string {
  const versions = readdirSync("/usr/lib/postgresql").sort((a, b) => Number(a) - Number(b));
  const latest = versions.at(-1);
  if (!latest) throw new Error("no PostgreSQL server in /usr/lib/postgresql (run: bash scripts/setup.sh --test)");
  return `/usr/lib/postgresql/${latest}/bin`;
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const bin = binaries();
  const root = userInfo().uid === 0;
  const asOwner = (command: string, args: string[]) => execFileSync(root ? "runuser" : command, root ? ["-u", "postgres", "--", command, ...args] : args, { stdio: "pipe" });
  const dir = mkdtempSync(join(tmpdir(), "twostep-own-pg-"));
  const data = join(dir, "data");
  const socket = join(dir, "socket");
  mkdirSync(data);
  mkdirSync(socket);
  const password = randomBytes(18).toString("base64url");
  writeFileSync(join(dir, "pwfile"), `${password}\n`, { mode: 0o600 });
  chmodSync(dir, 0o700);
  if (root) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    for (const path of [dir, data, socket, join(dir, "pwfile")]) chownSync(path, uid, gid);
  }
  asOwner(`${bin}/initdb`, ["-D", data, "-U", "twostep", `--pwfile=${join(dir, "pwfile")}`, "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8"]);
  const port = await freePort();
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${socket} -c fsync=off -c full_page_writes=off -c synchronous_commit=off`;
  const start = () => asOwner(`${bin}/pg_ctl`, ["-D", data, "-l", join(dir, "server.log"), "-w", "-t", "30", "-o", options, "start"]);
  const stop = () => asOwner(`${bin}/pg_ctl`, ["-D", data, "-m", "fast", "-w", "stop"]);
  start();
  return {
    url: `postgres://twostep:${password}@127.0.0.1:${port}/postgres`,
    stop,
    start,
    destroy() {
      try {
        asOwner(`${bin}/pg_ctl`, ["-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
