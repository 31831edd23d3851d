import type { FastifyReply } from "fastify";
import { redirect } from "./render.js";

/** Where "Confirm it's you" goes when `next` is missing or not ours. */
export const defaultNext = "/settings/security";

/**
 * `next` must be a path on this site: starting with "/" but not "//" or "/\"
 * (browsers read both as another host), no scheme, no control characters.
 * Anything else becomes /settings/security, so the page is no open redirect.
 */
export function safeNext(value: unknown): string {
  if (typeof value !== "string" || value.length > 512) return defaultNext;
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return defaultNext;
  if (/[\u0000-\u001f\u007f\\]/u.test(value)) return defaultNext;
  return value;
}

/** A change refused with `step_up_required`: off to "Confirm it's you", then back to `next`. */
export function stepUpRedirect(reply: FastifyReply, next: string) {
  return redirect(reply, `/settings/confirm?next=${encodeURIComponent(safeNext(next))}`);
}
