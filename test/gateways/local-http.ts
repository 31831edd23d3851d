/**
 * A real HTTP server on 127.0.0.1 (port 0) for the SMS provider adapter tests:
 * it records every request exactly as it arrived (method, path, headers, raw
 * body) so a test can check what an adapter sends, and answers with whatever
 * the test's handler decides. Not a test file itself (no `.test.ts`).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

export type Handler = (request: RecordedRequest, response: ServerResponse, raw: IncomingMessage) => void;

export interface LocalServer {
  /** http://127.0.0.1:PORT, no trailing slash. */
  url: string;
  server: Server;
  /** Every request received, oldest first. */
  requests: RecordedRequest[];
  /** Replaces the handler (each test scripts its own answers). */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export async function startLocalServer(initial: Handler = (_request, response) => sendJson(response, 500, {})): Promise<LocalServer> {
  let handler = initial;
  const requests: RecordedRequest[] = [];
  const server = createServer((raw, response) => {
    const chunks: Buffer[] = [];
    raw.on("data", (chunk: Buffer) => chunks.push(chunk));
    raw.on("end", () => {
      const recorded: RecordedRequest = { method: raw.method ?? "", path: raw.url ?? "", headers: raw.headers, rawBody: Buffer.concat(chunks).toString("utf8") };
      requests.push(recorded);
      handler(recorded, response, raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    requests,
    handle(next) {
      handler = next;
    },
    close: () => closeServer(server),
  };
}

/** Closes the server, dropping any connection still open (a hanging request, a keep-alive socket). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) return resolve();
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

/** A URL nothing listens on: a server is started, its port noted, and the server closed. */
export async function refusedUrl(): Promise<string> {
  const local = await startLocalServer();
  await local.close();
  return local.url;
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text).toString(), ...headers });
  response.end(text);
}

/** A sleep for withRetry that records the delays asked for and returns at once. */
export function recordingSleep(): { delays: number[]; sleep: (milliseconds: number) => Promise<void> } {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (milliseconds) => {
      delays.push(milliseconds);
    },
  };
}
