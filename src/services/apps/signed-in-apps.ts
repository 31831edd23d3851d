import type { AppsDeps } from "./deps.js";
import type { RequestContext } from "../deps.js";
import type { User } from "../../domain/model.js";
import { fail, ok, type Result } from "../../domain/errors.js";
import { recordEvent } from "../events/audit.js";
import { endAppSignIn, listSignedInApps, type SignedInApp } from "./app-sessions.js";

export type { SignedInApp };

/** "Apps you are signed in to" on the user's own security page (issue 15 item 6). */
export function signedInApps(deps: AppsDeps, user: User): Promise<SignedInApp[]> {
  return listSignedInApps(deps, user.id);
}

/**
 * "Sign out" of one app, the user's own: in one transaction its grants end,
 * a back-channel logout is queued for it (sent after commit, retried), and
 * `app.signed_out` goes in the event log. An app the user is not signed in to
 * is `not_found`, and nothing changes.
 */
export async function signOutOfApp(deps: AppsDeps, user: User, clientId: string, context: RequestContext): Promise<Result<{ app: string }>> {
  const client = await deps.store.oidcClients.findOidcClient(clientId);
  return deps.store.transaction(async (store) => {
    const ended = client ? await endAppSignIn(deps, store, user.id, client.id) : 0;
    if (!client || ended === 0) return fail("not_found");
    await recordEvent(deps, store, { type: "app.signed_out", subject: user, context, detail: { app: client.name, clientId: client.id } });
    return { ...ok, app: client.name };
  });
}
