import { parseArgs } from "node:util";
import { listClients } from "../services/apps/clients.js";
import type { OidcClient } from "../services/apps/clients.js";
import type { CommandIo } from "./command-io.js";
import { withRuntime } from "./runtime.js";

/** What a listing shows of an app: never its secret or the secret's hash. */
export function describeClient(client: OidcClient) {
  return {
    client_id: client.id,
    name: client.name,
    type: client.secretHash ? "confidential" : "public",
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    backchannel_logout_uri: client.backchannelLogoutUri,
    forward_auth_urls: client.forwardAuthOrigins,
    require_two_factor: client.requireTwoFactor,
    remember_browser: client.rememberBrowser,
    created_at: new Date(client.createdAt).toISOString(),
    secret_rotated_at: client.secretRotatedAt === null ? null : new Date(client.secretRotatedAt).toISOString(),
  };
}

/** clients:list — every registered app, by name; `--json` for scripts. */
export async function clientsListCommand(args: string[], io: CommandIo): Promise<number> {
  let json: boolean;
  try {
    json = parseArgs({ args, options: { json: { type: "boolean", default: false } }, strict: true }).values.json;
  } catch (error) {
    io.out(`clients:list: ${(error as Error).message}`);
    return 2;
  }
  return withRuntime(async ({ deps }) => {
    const clients = (await listClients(deps)).map(describeClient);
    if (json) {
      io.out(JSON.stringify(clients));
      return 0;
    }
    if (clients.length === 0) io.out("No apps are registered. Add one with twostep clients:create.");
    for (const client of clients) {
      const flags = [client.type, client.require_two_factor ? "requires 2FA" : "", client.remember_browser ? "honours remembered browsers" : ""].filter(Boolean).join(", ");
      io.out(`${client.client_id}  ${client.name} (${flags})`);
      for (const uri of client.redirect_uris) io.out(`    redirect: ${uri}`);
      for (const uri of client.post_logout_redirect_uris) io.out(`    after logout: ${uri}`);
      if (client.backchannel_logout_uri) io.out(`    back-channel logout: ${client.backchannel_logout_uri}`);
      for (const origin of client.forward_auth_urls) io.out(`    forward auth: ${origin}`);
    }
    return 0;
  });
}
