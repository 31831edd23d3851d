import { parseArgs } from "node:util";
import { deleteClient, rotateClientSecret } from "../services/apps/clients.js";
import type { CommandIo } from "./command-io.js";
import { withRuntime } from "./runtime.js";

function clientOption(command: string, args: string[], io: CommandIo, extra: { json?: boolean } = {}): { client: string; json: boolean } | null {
  try {
    const { values } = parseArgs({ args, options: { client: { type: "string" }, ...(extra.json ? { json: { type: "boolean", default: false } } : {}) }, strict: true });
    if (!values.client) {
      io.out(`${command} needs --client ID_OR_NAME`);
      return null;
    }
    return { client: values.client as string, json: values.json === true };
  } catch (error) {
    io.out(`${command}: ${(error as Error).message}`);
    return null;
  }
}

/** clients:rotate-secret --client ID_OR_NAME [--json] — a new secret, printed once; the old one stops working at once. */
export async function clientsRotateSecretCommand(args: string[], io: CommandIo): Promise<number> {
  const options = clientOption("clients:rotate-secret", args, io, { json: true });
  if (!options) return 2;
  return withRuntime(async ({ deps }) => {
    const result = await rotateClientSecret(deps, options.client);
    if (!result.ok) {
      io.out(`clients:rotate-secret: ${result.problem}. Nothing was changed.`);
      return 2;
    }
    if (options.json) {
      io.out(JSON.stringify({ client_id: result.client.id, client_secret: result.secret }));
      return 0;
    }
    io.out(`New secret for "${result.client.name}" (${result.client.id}):`);
    io.out(`client_secret: ${result.secret}`);
    io.out("The old secret no longer works. The new one is shown only now.");
    return 0;
  });
}

/** clients:delete --client ID_OR_NAME — removes an app; its codes and tokens are refused from then on. */
export async function clientsDeleteCommand(args: string[], io: CommandIo): Promise<number> {
  const options = clientOption("clients:delete", args, io);
  if (!options) return 2;
  return withRuntime(async ({ deps }) => {
    const result = await deleteClient(deps, options.client);
    if (!result.ok) {
      io.out(`clients:delete: ${result.problem}. Nothing was changed.`);
      return 2;
    }
    io.out(`Deleted app "${result.client.name}" (${result.client.id}).`);
    return 0;
  });
}
