import type { AppsDeps } from "./deps.js";
import type { RequestContext } from "../deps.js";
import { recordEvent } from "../events/audit.js";

/** Every sign-in to an app is in the user's event log with the app's name (issue 15 item 6). */
export async function recordAppSignIn(deps: AppsDeps, input: { userId: string; clientId: string; acr: string }, context: RequestContext): Promise<void> {
  const [user, client] = await Promise.all([deps.store.accounts.findUserById(input.userId), deps.store.oidcClients.findOidcClient(input.clientId)]);
  if (!user || !client) return;
  await recordEvent(deps, deps.store, { type: "app.signed_in", subject: user, context, detail: { app: client.name, clientId: client.id, acr: input.acr } });
}
