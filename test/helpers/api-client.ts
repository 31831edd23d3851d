import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import pg from "pg";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { testDatabaseKind } from "./database.js";
import { createTestApp, type TestApp, type TestClock } from "./runtime.js";
import { codeFor, wrongCodeFor } from "./totp.js";

export { wrongCodeFor };

/** A parsed JSON body; tests read the fields they assert on. */
export type Json = Record<string, any>;

export interface ApiResponse {
  status: number;
  body: Json;
  headers: LightMyRequestResponse["headers"];
  raw: LightMyRequestResponse;
}

/**
 * Drives the JSON API through `inject` like a non-browser front end: JSON bodies,
 * `Authorization: Bearer <sessionToken>`, a fixed client address.
 */
export class ApiClient {
  constructor(
    private readonly app: FastifyInstance,
    readonly clientAddress = "198.51.100.7",
  ) {}

  async request(
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    url: string,
    options: { json?: unknown; payload?: string | Buffer; contentType?: string; token?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.contentType) headers["content-type"] = options.contentType;
    let payload = options.payload;
    if (options.json !== undefined) {
      payload = JSON.stringify(options.json);
      headers["content-type"] ??= "application/json";
    }
    const raw = await this.app.inject({ method, url, headers, remoteAddress: this.clientAddress, ...(payload === undefined ? {} : { payload }) });
    const isJson = raw.headers["content-type"]?.toString().startsWith("application/json") ?? false;
    return { status: raw.statusCode, body: isJson && raw.body ? (JSON.parse(raw.body) as Json) : {}, headers: raw.headers, raw };
  }

  post(url: string, json?: unknown, token?: string): Promise<ApiResponse> {
    return this.request("POST", url, { ...(json === undefined ? {} : { json }), ...(token ? { token } : {}) });
  }

  get(url: string, token?: string): Promise<ApiResponse> {
    return this.request("GET", url, token ? { token } : {});
  }

  /** POST /api/login for a user without 2FA: the session token. */
  async sessionFor(email: string, password: string): Promise<string> {
    const response = await this.post("/api/login", { email, password });
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(response.body.status, "authenticated");
    return response.body.sessionToken as string;
  }

  /** POST /api/login for a user with 2FA: the pending flow id. */
  async flowFor(email: string, password: string): Promise<string> {
    const response = await this.post("/api/login", { email, password });
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(response.body.status, "second_factor_required");
    return response.body.flowId as string;
  }

  /** Sets up TOTP through the API for the session's user; the confirmation claims the current step. */
  async enrolTotp(token: string, password: string, clock: TestClock): Promise<{ methodId: string; key: string; recoveryCodes: string[] }> {
    const begun = await this.post("/api/me/two-factor/totp", { password }, token);
    assert.equal(begun.status, 200, begun.raw.body);
    const confirmed = await this.post(`/api/me/two-factor/totp/${begun.body.methodId}/confirm`, { code: codeFor(begun.body.key, clock.now()) }, token);
    assert.equal(confirmed.status, 200, confirmed.raw.body);
    return { methodId: begun.body.methodId, key: begun.body.key, recoveryCodes: confirmed.body.recoveryCodes };
  }
}

/** Asserts a catalogue error answer: status, `{code, message}`, and the field when one is named. */
export function assertApiError(response: ApiResponse, status: number, code: string, field?: string) {
  assert.equal(response.status, status, response.raw.body);
  assert.match(String(response.headers["content-type"]), /^application\/json/);
  assert.equal(response.body.code, code, response.raw.body);
  assert.equal(typeof response.body.message, "string");
  if (field !== undefined) assert.equal(response.body.field, field, response.raw.body);
}

/** A fresh code: moves the clock one step on first, so an earlier use of the step is not a replay. */
export function nextCode(key: string, clock: TestClock): string {
  clock.advance(30);
  return codeFor(key, clock.now());
}

/** Every database row, table by table, sorted: equal snapshots mean nothing was written. */
export type DatabaseSnapshot = Record<string, string[]>;

export interface ObservedTestApp extends TestApp {
  /** Reads every table through a second, read-only connection. */
  snapshot(): Promise<DatabaseSnapshot>;
}

/**
 * A test app with a second, read-only connection that sees every table: tests
 * prove "bad input changes nothing" by comparing snapshots. On SQLite the app
 * runs on a file the reader opens; on PostgreSQL the reader is its own client
 * on the app's database.
 */
export async function createObservedTestApp(options: { env?: Record<string, string> } = {}): Promise<ObservedTestApp> {
  if (testDatabaseKind() === "postgres") {
    const t = await createTestApp(options);
    const reader = new pg.Client({ connectionString: t.database.url, options: "-c default_transaction_read_only=on" });
    await reader.connect();
    const tables = (
      await reader.query<{ name: string }>("select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name")
    ).rows.map((row) => row.name);
    return {
      ...t,
      snapshot: async () => {
        const entries: [string, string[]][] = [];
        for (const table of tables) entries.push([table, (await reader.query(`select * from "${table}"`)).rows.map((row) => rowText(table, row)).sort()]);
        return Object.fromEntries(entries);
      },
      close: async () => {
        await reader.end();
        await t.close();
      },
    };
  }
  const directory = mkdtempSync(join(tmpdir(), "twostep-test-"));
  const databasePath = join(directory, "twostep.sqlite");
  const t = await createTestApp({ ...options, databasePath });
  const reader = new SQLite(databasePath, { readonly: true });
  const tables = (reader.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map(
    (row) => row.name,
  );
  return {
    ...t,
    snapshot: async () =>
      Object.fromEntries(tables.map((table) => [table, (reader.prepare(`SELECT * FROM "${table}"`).all() as object[]).map((row) => rowText(table, row)).sort()])),
    close: async () => {
      reader.close();
      await t.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * A row as the snapshot compares it. A session's `last_active_at` is left out: any signed-in
 * request, refused or not, may mark its session active (issue 17, at most once a minute), and
 * that mark is not a change the request made to anything.
 */
function rowText(table: string, row: object): string {
  if (table !== "sessions") return JSON.stringify(row);
  const { last_active_at: _activity, ...rest } = row as Record<string, unknown>;
  return JSON.stringify(rest);
}

/** Runs `act` and asserts that not one database row changed. */
export async function assertChangesNothing(t: ObservedTestApp, act: () => Promise<unknown>) {
  const before = await t.snapshot();
  await act();
  assert.deepEqual(await t.snapshot(), before, "the request changed the database");
}

/** Per table that differs: rows only in `after` (new or updated) and rows only in `before` (deleted or updated). */
export function diffSnapshots(before: DatabaseSnapshot, after: DatabaseSnapshot): Record<string, { added: Json[]; removed: Json[] }> {
  const diff: Record<string, { added: Json[]; removed: Json[] }> = {};
  for (const table of new Set(Object.keys(before)).union(new Set(Object.keys(after)))) {
    const earlier = new Set(before[table] ?? []);
    const later = new Set(after[table] ?? []);
    const added = [...later.difference(earlier)].map((row) => JSON.parse(row) as Json);
    const removed = [...earlier.difference(later)].map((row) => JSON.parse(row) as Json);
    if (added.length > 0 || removed.length > 0) diff[table] = { added, removed };
  }
  return diff;
}

/** Every route the app serves, as `METHOD /full/path` (HEAD left out), read from Fastify's route tree. */
export function listRoutes(app: FastifyInstance): { method: string; url: string }[] {
  const routes: { method: string; url: string }[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split("\n")) {
    const match = /^(.*?)[└├]── (\S+) \(([A-Z, ]+)\)$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    const url = stack.join("");
    for (const method of match[3]!.split(", ")) if (method !== "HEAD") routes.push({ method, url });
  }
  return routes;
}
