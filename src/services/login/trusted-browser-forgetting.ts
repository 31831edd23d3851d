import { eventsThatForgetTrustedBrowsers } from "../../domain/login-flow/trusted-browser.js";
import type { EventType, User } from "../../domain/model.js";
import type { Stores } from "../../store/store.js";
import { recordEvent } from "../events/audit.js";
import type { RequestContext, ServiceDeps } from "../deps.js";

type Deps = Pick<ServiceDeps, "clock" | "newId" | "config">;

/**
 * L7: called by the event log for every event it records. After a 2FA or
 * password change (the domain's `eventsThatForgetTrustedBrowsers`) the user's
 * trusted browsers are forgotten on the same ports, so inside the change's
 * own transaction: whichever path made the change, none is left trusted.
 */
export async function forgetTrustedBrowsersAfter(deps: Deps, store: Stores, type: EventType, user: User, context: RequestContext): Promise<void> {
  if (eventsThatForgetTrustedBrowsers.has(type)) await forgetUserTrustedBrowsers(deps, store, user, context, type);
}

/** Forgets every trusted browser of `user`; `browser.forgotten` names why (`forget_all`: the user asked; else the change's event). */
export async function forgetUserTrustedBrowsers(deps: Deps, store: Stores, user: User, context: RequestContext, reason: string): Promise<number> {
  const count = await store.trustedBrowsers.forgetUserTrustedBrowsers(user.id);
  // The user's own "Forget all" is theirs; after a change nobody chose it, whoever made the change.
  if (count > 0) await recordEvent(deps, store, { type: "browser.forgotten", subject: user, context, detail: { count, reason }, ...(reason === "forget_all" ? {} : { actor: null }) });
  return count;
}
