/**
 * A real local SMTP server (smtp-server) for the email tests: it checks the
 * login, parses what arrives with mailparser, and can answer a chosen SMTP
 * reply code instead of accepting, to test transient and permanent failures.
 */
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedEmail {
  envelopeFrom: string | null;
  envelopeTo: string[];
  user: string | null;
  parsed: ParsedMail;
}

export interface LocalSmtpServer {
  port: number;
  url: string;
  received: ReceivedEmail[];
  /** When set, every message is answered with this SMTP reply code instead of being accepted. */
  rejectWith: number | null;
  close(): Promise<void>;
  /** Resolves once `count` emails have arrived (fails after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedEmail[]>;
}

export async function startSmtpServer(options: { user?: string; password?: string; port?: number } = {}): Promise<LocalSmtpServer> {
  const user = options.user ?? "mailer";
  const password = options.password ?? "s3cret pass/word";
  const state: LocalSmtpServer = {
    port: 0,
    url: "",
    received: [],
    rejectWith: null,
    close: () => new Promise((resolve) => server.close(() => resolve())),
    async waitFor(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (state.received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} emails, ${state.received.length} arrived`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return state.received;
    },
  };
  const server = new SMTPServer({
    // Plain SMTP on loopback, with AUTH allowed without TLS: the test checks the login nodemailer sends.
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) return callback(null, { user: auth.username });
      const error = Object.assign(new Error("Invalid username or password"), { responseCode: 535 });
      return callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        if (state.rejectWith !== null) {
          return callback(Object.assign(new Error(`rejected by the test (${state.rejectWith})`), { responseCode: state.rejectWith }));
        }
        simpleParser(Buffer.concat(chunks)).then(
          (parsed) => {
            state.received.push({
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
              envelopeTo: session.envelope.rcptTo.map((address) => address.address),
              user: (session.user as string | undefined) ?? null,
              parsed,
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  state.port = (server.server.address() as { port: number }).port;
  state.url = `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${state.port}`;
  return state;
}
