import { createSmtpEmailGateway } from "../../src/gateways/email/smtp.js";
import { startMessageDispatcher } from "../../src/services/messages/message-dispatcher.js";
import { startTestServer, type RunningServer } from "./server.js";
import { startSmtpServer, type LocalSmtpServer } from "./smtp.js";

export interface MailingTestServer {
  server: RunningServer;
  smtp: LocalSmtpServer;
  /** Stops the dispatcher, the app and the SMTP server; safe to call when a part failed to start. */
  close(): Promise<void>;
}

/**
 * The whole app (startTestServer) whose emails go through SMTP to a real local
 * SMTP server, sent by the message dispatcher after commit, as in production.
 */
export async function startMailingTestServer(): Promise<MailingTestServer> {
  const smtp = await startSmtpServer();
  const server = await startTestServer();
  server.runtime.deps.email = createSmtpEmailGateway({ url: smtp.url, from: "twostep <no-reply@twostep.test>" });
  const dispatcher = startMessageDispatcher(server.runtime.deps, 100);
  return {
    server,
    smtp,
    close: async () => {
      await dispatcher.stop();
      await server.close();
      await smtp.close();
    },
  };
}
