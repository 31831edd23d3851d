import { parseArgs } from "node:util";
import { createClient } from "../services/apps/clients.js";
import type { CommandIo } from "./command-io.js";
import { withRuntime } from "./runtime.js";

/**
 * clients:create — registers an app that logs its users in through twostep.
 * The client secret is printed once here and stored only as a hash; a
 * `--public` app (a browser or mobile app, PKCE only) gets none. Bad input
 * changes nothing and exits 2.
 */
export async function clientsCreateCommand(args: string[], io: CommandIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        name: { type: "string" },
        "redirect-uri": { type: "string", multiple: true },
        "post-logout-redirect-uri": { type: "string", multiple: true },
        "backchannel-logout-uri": { type: "string" },
        "forward-auth-url": { type: "string", multiple: true },
        public: { type: "boolean", default: false },
        "require-two-factor": { type: "boolean", default: false },
        "remember-browser": { type: "boolean", default: false },
        json: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.out(`clients:create: ${(error as Error).message}`);
    return 2;
  }
  if (!values.name) {
    io.out("clients:create needs --name and at least one --redirect-uri");
    return 2;
  }
  const input = {
    name: values.name,
    redirectUris: values["redirect-uri"] ?? [],
    postLogoutRedirectUris: values["post-logout-redirect-uri"] ?? [],
    backchannelLogoutUri: values["backchannel-logout-uri"] ?? null,
    forwardAuthOrigins: values["forward-auth-url"] ?? [],
    isPublic: values.public,
    requireTwoFactor: values["require-two-factor"],
    rememberBrowser: values["remember-browser"],
  };
  return withRuntime(async ({ deps }) => {
    const result = await createClient(deps, input);
    if (!result.ok) {
      io.out(`clients:create: ${result.problem}. Nothing was created.`);
      return 2;
    }
    if (values.json) {
      io.out(JSON.stringify(result.secret === null ? { client_id: result.client.id } : { client_id: result.client.id, client_secret: result.secret }));
      return 0;
    }
    io.out(`Created app "${result.client.name}".`);
    io.out(`client_id:     ${result.client.id}`);
    if (result.secret !== null) {
      io.out(`client_secret: ${result.secret}`);
      io.out("The secret is shown only now: store it in the app's configuration. twostep keeps only its hash.");
    } else {
      io.out("A public app: no secret; it must use PKCE (S256).");
    }
    return 0;
  });
}
