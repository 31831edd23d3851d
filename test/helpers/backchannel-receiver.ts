/**
 * An app's back-channel logout endpoint for tests: a real local HTTP server
 * that keeps each `logout_token` POSTed to it and answers `answer` (200 unless
 * a test makes the app refuse).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface BackchannelReceiver {
  /** The URI to register as the app's `backchannel_logout_uri`. */
  uri: string;
  /** The logout tokens received, in order. */
  received: string[];
  answer: number;
  close(): Promise<void>;
}

export async function startBackchannelReceiver(path = "/backchannel-logout"): Promise<BackchannelReceiver> {
  const receiver: Omit<BackchannelReceiver, "uri" | "close"> = { received: [], answer: 200 };
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      receiver.received.push(new URLSearchParams(body).get("logout_token") ?? "");
      response.writeHead(receiver.answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return Object.assign(receiver, {
    uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
