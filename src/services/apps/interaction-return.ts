import { providerPrefix } from "./provider-names.js";

/** The only twostep-internal `return_to` an app's sign-in uses: its interaction page. */
const interactionReturn = new RegExp(`^${providerPrefix}/interaction/([A-Za-z0-9_-]{1,128})$`);

export function interactionUidOf(returnTo: unknown): string | null {
  return typeof returnTo === "string" ? (interactionReturn.exec(returnTo)?.[1] ?? null) : null;
}
