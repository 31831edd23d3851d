/**
 * The management listener of a real server process (issue 17, items 1 and 3):
 * - /healthz, /readyz and /metrics answer on TWOSTEP_MANAGEMENT_ADDRESS and never on the
 *   public port (metrics would tell anyone the login traffic);
 * - a bad TWOSTEP_MANAGEMENT_ADDRESS stops the start with a message naming the variable,
 *   and `off` starts no listener;
 * - every answer carries its request id in X-Request-Id, and every log line of that request
 *   (Fastify's and the services') carries the same id; an incoming X-Request-Id is believed
 *   only with TWOSTEP_TRUST_REQUEST_ID=true, and only when well-formed.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { parseConfig } from "../../src/config.js";
import { createRuntime, type Runtime } from "../../src/bootstrap.js";
import { createSharedDatabase, freePort, instanceEnv, startInstance, stopInstance, type Instance } from "../helpers/instances.js";
import { seedUser } from "../helpers/runtime.js";

/** The instance's JSON log lines (its stdout), parsed; other lines skipped. */
function logLines(instance: Instance): Record<string, unknown>[] {
  return instance.output
    .join("")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Waits (10 s at most) until the instance has written a log line that `matches`: a line is written after its answer is sent. */
async function waitForLine(instance: Instance, matches: (line: Record<string, unknown>) => boolean): Promise<void> {
  for (let waited = 0; !logLines(instance).some(matches); waited += 20) {
    assert.ok(waited < 10_000, "the log line never came");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts `node src/server.ts` with `env` and resolves with its exit code and output once it exits (30 s at most). */
function runUntilExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the server did not exit: ${output}`));
    }, 30_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("the management listener", () => {
  let database: { url: string; drop(): Promise<void> };
  let runtime: Runtime;
  let instance: Instance;
  let trusting: Instance;
  let management: string;
  let env: Record<string, string>;

  before(async () => {
    database = await createSharedDatabase();
    const port = await freePort();
    management = `http://127.0.0.1:${port}`;
    // No email gateway: a reset request for a real user makes the services log a warning inside the request.
    env = instanceEnv(database.url, { TWOSTEP_MANAGEMENT_ADDRESS: `127.0.0.1:${port}`, TWOSTEP_EMAIL_GATEWAY: "none", TWOSTEP_LOG_LEVEL: "info" });
    runtime = await createRuntime(parseConfig(env));
    instance = await startInstance(env);
    // Readable log lines (pino-pretty) on this one.
    trusting = await startInstance({ ...env, TWOSTEP_MANAGEMENT_ADDRESS: "off", TWOSTEP_TRUST_REQUEST_ID: "true", TWOSTEP_LOG_FORMAT: "pretty" });
  });
  after(async () => {
    await Promise.all([instance && stopInstance(instance), trusting && stopInstance(trusting)]);
    await runtime?.close();
    await database?.drop();
  });

  it("answers /healthz, /readyz and /metrics on its own address", async () => {
    const health = await fetch(`${management}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: "ok" });
    const ready = await fetch(`${management}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: "ready", checks: { database: { ok: true }, migrations: { ok: true }, keys: { ok: true }, shutdown: { ok: true } } });
    const metrics = await fetch(`${management}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /^# HELP twostep_/m);
  });

  it("is not reachable on the public port: the public app has none of its routes", async () => {
    for (const path of ["/metrics", "/healthz", "/readyz"]) {
      const response = await fetch(`${instance.url}${path}`);
      assert.equal(response.status, 404, path);
      assert.doesNotMatch(await response.text(), /twostep_|"checks"/, path);
    }
  });

  it("refuses a bad TWOSTEP_MANAGEMENT_ADDRESS at start, naming the variable; off starts none", async () => {
    const port = await freePort();
    for (const bad of ["http://127.0.0.1:9464"]) {
      const { code, output } = await runUntilExit({ ...env, TWOSTEP_MANAGEMENT_ADDRESS: bad, TWOSTEP_HOST: "127.0.0.1", TWOSTEP_PORT: String(port) });
      assert.equal(code, 1, output);
      assert.match(output, /twostep failed to start: TWOSTEP_MANAGEMENT_ADDRESS must be host:port/, bad);
    }
    const taken = new URL(management).port;
    const { code, output } = await runUntilExit({ ...env, TWOSTEP_MANAGEMENT_ADDRESS: `127.0.0.1:${taken}`, TWOSTEP_HOST: "127.0.0.1", TWOSTEP_PORT: String(port) });
    assert.equal(code, 1, output);
    assert.match(output, /the management listener could not listen on 127\.0\.0\.1:\d+ \(TWOSTEP_MANAGEMENT_ADDRESS\): EADDRINUSE/);
    // `off`: the trusting instance serves its public port and nothing listens for management.
    assert.equal((await fetch(`${trusting.url}/login`)).status, 200);
    assert.match(trusting.output.join(""), /twostep is serving \S+ \(Node\.js v\d+[^)]*\)\n/);
    assert.doesNotMatch(trusting.output.join(""), /management on/);
  });

  it("puts the request id in X-Request-Id and on every log line of the request, the services' too", async () => {
    const { user } = await seedUser(runtime.deps);
    const response = await fetch(`${instance.url}/api/password-reset/request`, { method: "POST", headers: { "content-type": "application/json", "x-request-id": "chosen-by-the-client" }, body: JSON.stringify({ email: user.email }) });
    assert.equal(response.status, 202, await response.text());
    const id = response.headers.get("x-request-id") ?? "";
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, "a new UUID: the client's id is not believed by default");
    await waitForLine(instance, (line) => line.reqId === id && line.msg === "request completed");
    const lines = logLines(instance).filter((line) => line.reqId === id);
    const messages = lines.map((line) => line.msg);
    assert.ok(messages.includes("incoming request") && messages.includes("request completed"), JSON.stringify(messages));
    assert.ok(
      messages.includes("a password reset was asked for, but TWOSTEP_EMAIL_GATEWAY=none sends no email"),
      `the services' line carries the id: ${JSON.stringify(logLines(instance).filter((line) => String(line.msg).startsWith("a password reset")))}`,
    );
    // A line outside any request has no id.
    assert.ok(logLines(instance).some((line) => String(line.msg).startsWith("Server listening") && !("reqId" in line)));
  });

  it("believes a well-formed incoming X-Request-Id only with TWOSTEP_TRUST_REQUEST_ID=true", async () => {
    const trusted = await fetch(`${trusting.url}/login`, { headers: { "x-request-id": "lb-7f3a.2:abc_DEF" } });
    assert.equal(trusted.headers.get("x-request-id"), "lb-7f3a.2:abc_DEF");
    // TWOSTEP_LOG_FORMAT=pretty: readable lines, not JSON, still naming the request id.
    const completed = () => trusting.output.join("").split("\n").find((line) => line.includes("request completed") && line.includes("lb-7f3a.2:abc_DEF"));
    for (let waited = 0; !completed(); waited += 20) {
      assert.ok(waited < 10_000, `no line for the request: ${trusting.output.join("")}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const completedLine = completed()!;
    assert.match(completedLine, /^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: \[lb-7f3a\.2:abc_DEF\] request completed$/);
    assert.equal(logLines(trusting).length, 0, "no JSON lines");
    for (const junk of ["has space", "x".repeat(129), "semi;colon", ""]) {
      const answer = await fetch(`${trusting.url}/login`, { headers: { "x-request-id": junk } });
      assert.match(answer.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/, JSON.stringify(junk));
    }
    const untrusted = await fetch(`${instance.url}/login`, { headers: { "x-request-id": "lb-7f3a.2:abc_DEF" } });
    assert.notEqual(untrusted.headers.get("x-request-id"), "lb-7f3a.2:abc_DEF");
  });
});
