import type { Method } from "../../domain/model.js";
import { factorFor } from "./registry.js";

/** How a set of the user's methods can be proven: by a typed code, by the browser's prompt, or both. */
export interface ProofChoices {
  /** A method is answered with a typed code (an app, a phone). */
  code: boolean;
  /** The method whose browser prompt answers for its factor (a key); null when there is none. */
  inBrowser: Method | null;
  /** The prompt starts at once: its method is the default, or the only kind there is. */
  inBrowserFirst: boolean;
}

/** Read from each method's factor (`presentation`), so the flows never ask which type a method is. */
export function proofChoices(methods: readonly Method[]): ProofChoices {
  const inBrowser = methods.find((method) => factorFor(method.type).presentation === "browser_prompt") ?? null;
  const code = methods.some((method) => factorFor(method.type).presentation === "code_field");
  const preferred = methods.find((method) => method.isDefault) ?? methods[0];
  return { code, inBrowser, inBrowserFirst: inBrowser !== null && (!code || (preferred !== undefined && factorFor(preferred.type).presentation === "browser_prompt")) };
}
