import type { LoginDeps, LoginPorts } from "./deps.js";
import type { User } from "../../domain/model.js";
import type { EffectivePolicy } from "../../domain/policy.js";
import type { RequestContext } from "../deps.js";
import { recordEvent } from "../events/audit.js";
import { effectivePolicyFor } from "../policy/policy.js";
import { describeClient } from "../sessions/client-description.js";
import { recordKnownBrowserAfterLogin } from "../throttle/password-throttle.js";

/**
 * The last write of every completed login, on the login's own transaction
 * (step 1 without 2FA or on a trusted browser, the second step, a required
 * enrolment, a reset link): the browser becomes (or stays) a *known browser*
 * of the user (issue 7, `throttle/password-throttle.ts`), and when it was not
 * one before, `login.new_browser` is recorded with the browser, OS and place
 * (issue 17 item 5). That event emails the user (through the outbox, so only
 * if the login commits) with a link to "Where you're signed in", unless the
 * account policy turned the email off (`newSignInEmail`). A known browser
 * (its live `twostep_browser` token of this user) or a trusted one (L7, it
 * skipped the second step: `trusted`) records and sends nothing. With no email
 * gateway (TWOSTEP_EMAIL_GATEWAY=none) no email is written, so the policy is not read.
 *
 * Returns the new known-browser token for the cookie, or null when the browser kept its own.
 */
export async function recordBrowserAfterLogin(
  deps: LoginDeps,
  store: LoginPorts,
  user: User,
  presentedBrowserToken: unknown,
  context: RequestContext,
  options: { trusted?: boolean; policy?: EffectivePolicy | undefined } = {},
): Promise<string | null> {
  const token = await recordKnownBrowserAfterLogin(deps, user.id, presentedBrowserToken, store);
  if (token === null || options.trusted === true) return token;
  // The policy decides only whether the email goes out: with no email gateway none can, so it is not read.
  // Otherwise the one this login already read, if any: a request reads it at most once (issue 19 item 7).
  const notify = deps.config.email.gateway === "none" ? false : (options.policy ?? (await effectivePolicyFor(deps, user, store))).newSignInEmail;
  const client = describeClient(context.userAgent);
  const place = deps.places.placeOf(context.clientAddress);
  await recordEvent(deps, store, {
    type: "login.new_browser",
    subject: user,
    context,
    detail: { ...(client.browser ? { browser: client.browser } : {}), ...(client.os ? { os: client.os } : {}), ...(place ? { place } : {}) },
    notify,
  });
  return token;
}
