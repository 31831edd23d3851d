import { demoLoadCommand } from "./demo-load.js";
import { keysRotateCommand } from "./keys-rotate.js";
import { keysStatusCommand } from "./keys-status.js";
import { messagesSendCommand } from "./messages-send.js";
import { migrateCommand } from "./migrate.js";
import { policySetCommand } from "./policy-set.js";
import { usersCreateCommand } from "./users-create.js";
import { remindersSendCommand } from "./reminders-send.js";
import type { Command, CommandIo } from "./command-io.js";
import { clientsCreateCommand } from "./clients-create.js";
import { keysRotateSigningCommand } from "./keys-rotate-signing.js";
import { clientsListCommand } from "./clients-list.js";
import { clientsDeleteCommand, clientsRotateSecretCommand } from "./clients-manage.js";

export type { CommandIo } from "./command-io.js";

const usage = `Usage: twostep <command> [options]

Commands:
  migrate                                   apply database migrations
  users:create --email E --password P [--account NAME] [--role admin|member|support] [--kind reseller|customer|platform] [--parent NAME]
                                            create a user (and its account if it does not exist)
  demo:load                                 load the demo accounts and users into the database
  policy:set --account NAME [--audience own_users|reseller_users|customer_users]
             [--recovery-code-policy keep|disable] [--rotate-password-on-disable true|false]
             [--allowed-methods totp,sms,webauthn] [--require-2fa-from YYYY-MM-DD|none]
                                            set an account's 2FA policy
  keys:rotate [--batch-size N]              re-encrypt every secret under the current key (default 500 a batch)
  keys:status                               count secrets per key id; say which previous keys can be dropped
  keys:rotate-signing                       add a new OpenID Connect signing key (the old one stays published until its tokens expire)
  reminders:send                            record the 2FA reminders due now (14, 3 and 1 days before a deadline), once each
  messages:send                             send every email and back-channel logout due now, once
  clients:create --name NAME --redirect-uri URI [--redirect-uri URI …] [--post-logout-redirect-uri URI]
             [--backchannel-logout-uri URI] [--forward-auth-url ORIGIN] [--public]
             [--require-two-factor] [--remember-browser] [--json]
                                            register an app that logs in through twostep (secret shown once)
  clients:list [--json]                     list the registered apps (never their secrets)
  clients:rotate-secret --client ID_OR_NAME [--json]
                                            give an app a new secret (shown once); the old one stops working
  clients:delete --client ID_OR_NAME        remove an app

Configuration comes from the environment (see README.md).`;

/** The help ends with the runtime, so `npx twostep --help` shows which Node.js runs the commands. */
const help = () => `${usage}\nRunning on Node.js ${process.version}.`;

const commands: Record<string, Command> = {
  migrate: migrateCommand,
  "users:create": usersCreateCommand,
  "demo:load": demoLoadCommand,
  "policy:set": policySetCommand,
  "keys:rotate": keysRotateCommand,
  "keys:status": keysStatusCommand,
  "keys:rotate-signing": keysRotateSigningCommand,
  "reminders:send": remindersSendCommand,
  "messages:send": messagesSendCommand,
  "clients:create": clientsCreateCommand,
  "clients:list": clientsListCommand,
  "clients:rotate-secret": clientsRotateSecretCommand,
  "clients:delete": clientsDeleteCommand,
};

export async function runCli(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    io.out(name && name !== "--help" && name !== "help" ? `Unknown command "${name}".\n\n${help()}` : help());
    return name && name !== "--help" && name !== "help" ? 2 : 0;
  }
  return command(rest, io);
}

