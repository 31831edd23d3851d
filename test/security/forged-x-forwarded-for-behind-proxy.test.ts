/**
 * Threat: choosing one's own client address through X-Forwarded-For. With
 * TWOSTEP_TRUST_PROXY=true every hop was believed, so the client address was
 * the left-most X-Forwarded-For entry. Behind a proxy that appends to the
 * header (nginx's $proxy_add_x_forwarded_for) that entry is whatever the client
 * sent: 36 of 36 wrong codes over 9 users were checked from one client, a new
 * forged address each time, so the per-address limit never fired, and the
 * event log recorded the forged addresses. Now TWOSTEP_TRUST_PROXY names the
 * proxies (addresses/CIDRs) or counts them, the address is read from the right,
 * and `true` is refused. Tested through a real appending proxy in front of the
 * real app on a loopback port.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import SQLite from "better-sqlite3";
import { ConfigError, parseConfig } from "../../src/config.js";
import { enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { wrongCodeFor } from "../helpers/totp.js";

/** The one real client: a loopback address of its own, not the proxy's 127.0.0.1. */
const clientAddress = "127.0.0.2";
const addressFreeFailures = 30;

/** A reverse proxy as nginx with `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`: the peer is appended to what the client sent. */
async function startAppendingProxy(upstreamPort: number): Promise<Server> {
  const proxy = createServer((incoming, outgoing) => {
    const peer = incoming.socket.remoteAddress!;
    const sent = incoming.headers["x-forwarded-for"];
    const headers: IncomingHttpHeaders = { ...incoming.headers, "x-forwarded-for": sent ? `${sent}, ${peer}` : peer };
    const upstream = httpRequest({ host: "127.0.0.1", port: upstreamPort, localAddress: "127.0.0.1", method: incoming.method, path: incoming.url, headers }, (response) => {
      outgoing.writeHead(response.statusCode!, response.headers);
      response.pipe(outgoing);
    });
    upstream.on("error", () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return proxy;
}

/** A JSON POST from the real client's own address, through the proxy. */
function post(port: number, path: string, body: unknown, forwardedFor?: string): Promise<{ status: number; json: Record<string, any> }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) };
    if (forwardedFor) headers["x-forwarded-for"] = forwardedFor;
    const outgoing = httpRequest({ host: "127.0.0.1", port, localAddress: clientAddress, method: "POST", path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString("utf8")) }));
    });
    outgoing.on("error", reject);
    outgoing.end(payload);
  });
}

describe("security: a forged X-Forwarded-For behind an appending proxy", () => {
  it("refuses TWOSTEP_TRUST_PROXY=true, naming the number and list forms", () => {
    assert.throws(
      () => parseConfig({ TWOSTEP_ENV: "development", TWOSTEP_TRUST_PROXY: "true" }),
      (error: unknown) => error instanceof ConfigError && /TWOSTEP_TRUST_PROXY=1/.test(error.message) && /10\.0\.0\.0\/8/.test(error.message),
    );
    for (const bad of ["yes", "-1", "11", "1.5", "10.0.0.0/33", "::1/129", "proxy.example.com", "127.0.0.1,", "127.0.0.1/8/8"]) {
      assert.throws(() => parseConfig({ TWOSTEP_ENV: "development", TWOSTEP_TRUST_PROXY: bad }), ConfigError, bad);
    }
    assert.equal(parseConfig({ TWOSTEP_ENV: "development" }).trustProxy, false);
    assert.equal(parseConfig({ TWOSTEP_ENV: "development", TWOSTEP_TRUST_PROXY: "false" }).trustProxy, false);
    assert.equal(parseConfig({ TWOSTEP_ENV: "development", TWOSTEP_TRUST_PROXY: "0" }).trustProxy, false);
    assert.equal(parseConfig({ TWOSTEP_ENV: "development", TWOSTEP_TRUST_PROXY: "2" }).trustProxy, 2);
    assert.deepEqual(parseConfig({ TWOSTEP_ENV: "development", TWOSTEP_TRUST_PROXY: "127.0.0.1, 10.0.0.0/8,::1" }).trustProxy, ["127.0.0.1", "10.0.0.0/8", "::1"]);
  });

  for (const setting of ["1", "127.0.0.1", "127.0.0.1/32,10.0.0.0/8"]) {
    describe(`with TWOSTEP_TRUST_PROXY=${setting}`, () => {
      let dir: string;
      let t: TestApp;
      let proxy: Server;
      let port: number;
      let reader: SQLite.Database;
      before(async () => {
        dir = mkdtempSync(join(tmpdir(), "twostep-proxy-"));
        const databasePath = join(dir, "twostep.sqlite");
        t = await createTestApp({ env: { TWOSTEP_TRUST_PROXY: setting }, databasePath });
        await t.app.listen({ host: "127.0.0.1", port: 0 });
        proxy = await startAppendingProxy((t.app.server.address() as AddressInfo).port);
        port = (proxy.address() as AddressInfo).port;
        reader = new SQLite(databasePath, { readonly: true });
      });
      after(async () => {
        reader.close();
        await new Promise((resolve) => proxy.close(resolve));
        await t.close();
        rmSync(dir, { recursive: true, force: true });
      });

      it("locks the one real client after 30 wrong codes over 9 users, whatever address it forges, and logs its real address", async () => {
        const users: EnrolledUser[] = [];
        for (let i = 0; i < 9; i++) users.push(await enrolTotp(t.deps));
        t.clock.advance(30);

        const statuses: number[] = [];
        let n = 0;
        for (const enrolled of users) {
          for (let i = 0; i < 4; i++) {
            n++;
            // A new forged address on every request, alone or as a fake chain of proxies.
            const forged = n % 2 ? `203.0.113.${n}` : `203.0.113.${n}, 10.0.0.${n}`;
            const login = await post(port, "/api/login", { email: enrolled.user.email, password: enrolled.password }, forged);
            assert.equal(login.status, 200, JSON.stringify(login.json));
            const guess = await post(port, "/api/login/second-factor", { flowId: login.json.flowId, code: wrongCodeFor(enrolled.keyBase32, t.clock.now()) }, forged);
            statuses.push(guess.status);
          }
        }
        assert.equal(statuses.length, 36);
        assert.deepEqual(statuses.slice(0, addressFreeFailures), Array(addressFreeFailures).fill(401), "30 free failures for the address");
        assert.deepEqual(statuses.slice(addressFreeFailures), Array(36 - addressFreeFailures).fill(429), "then the one real client is locked");

        // One counter, for the real address; none for any forged one.
        const counters = reader.prepare("select key, failures from attempt_counters where key like 'address:%'").all() as { key: string; failures: number }[];
        assert.deepEqual(counters.map((row) => row.key), [`address:${clientAddress}`]);
        assert.ok(counters[0]!.failures >= addressFreeFailures);

        // The event log names the real client, never a forged address nor the proxy.
        const addresses = reader.prepare("select distinct client_address from events where client_address is not null").all() as { client_address: string }[];
        assert.deepEqual(addresses.map((row) => row.client_address), [clientAddress]);
      });
    });
  }
});
