import { parseArgs } from "node:util";
import { methodTypes, type MethodType, type RecoveryCodePolicy } from "../services/model.js";
import { maxRememberBrowserDays, policyLayerProblem, PolicyError, type PolicyAudience } from "../services/policy/policy.js";
import { setPolicy } from "../services/policy/policy.js";
import { findAccountByName } from "../services/access/users.js";
import type { CommandIo } from "./command-io.js";
import { withRuntime } from "./runtime.js";

/** policy:set — change one policy layer; options left out keep their value. */
export async function policySetCommand(args: string[], io: CommandIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      account: { type: "string" },
      audience: { type: "string", default: "own_users" },
      "recovery-code-policy": { type: "string" },
      "rotate-password-on-disable": { type: "string" },
      "allowed-methods": { type: "string" },
      "require-2fa-from": { type: "string" },
      "remember-browser-days": { type: "string" },
      "new-sign-in-email": { type: "string" },
    },
    strict: true,
  });
  if (!values.account) {
    io.out("policy:set needs --account");
    return 2;
  }
  const audience = values.audience as PolicyAudience;
  if (!["own_users", "reseller_users", "customer_users"].includes(audience)) {
    io.out("--audience must be own_users, reseller_users or customer_users");
    return 2;
  }
  const recovery = values["recovery-code-policy"];
  if (recovery !== undefined && recovery !== "keep" && recovery !== "disable") {
    io.out("--recovery-code-policy must be keep or disable");
    return 2;
  }
  const rotate = values["rotate-password-on-disable"];
  if (rotate !== undefined && rotate !== "true" && rotate !== "false") {
    io.out("--rotate-password-on-disable must be true or false");
    return 2;
  }
  const methods = values["allowed-methods"]?.split(",").map((method) => method.trim());
  if (methods && (methods.length === 0 || methods.some((method) => !methodTypes.includes(method as MethodType)))) {
    io.out(`--allowed-methods must be a comma-separated list of ${methodTypes.join(" and ")}`);
    return 2;
  }
  const weakOnly = methods ? policyLayerProblem({ allowedMethods: methods as MethodType[] }) : null;
  if (weakOnly) {
    io.out(`--allowed-methods: ${weakOnly}`);
    return 2;
  }
  const from = values["require-2fa-from"];
  const fromTime = from === undefined || from === "none" ? null : Date.parse(from);
  if (fromTime !== null && Number.isNaN(fromTime)) {
    io.out("--require-2fa-from must be a date (YYYY-MM-DD) or none");
    return 2;
  }
  const remember = values["remember-browser-days"];
  if (remember !== undefined && remember !== "inherit" && !(/^\d{1,3}$/.test(remember) && Number(remember) <= maxRememberBrowserDays)) {
    io.out(`--remember-browser-days must be a whole number of days from 0 (never) to ${maxRememberBrowserDays}, or inherit`);
    return 2;
  }
  const newSignIn = values["new-sign-in-email"];
  if (newSignIn !== undefined && !["on", "off", "inherit"].includes(newSignIn)) {
    io.out("--new-sign-in-email must be on, off or inherit");
    return 2;
  }
  return withRuntime(async ({ deps }) => {
    const account = await findAccountByName(deps, values.account!);
    if (!account) {
      io.out(`No account is named "${values.account}".`);
      return 2;
    }
    let layer;
    try {
      layer = await setPolicy(deps, account, audience, {
        ...(recovery !== undefined ? { recoveryCodePolicy: recovery as RecoveryCodePolicy } : {}),
        ...(rotate !== undefined ? { rotatePasswordOnDisable: rotate === "true" } : {}),
        ...(methods ? { allowedMethods: methods as MethodType[] } : {}),
        ...(from !== undefined ? { requireTwoFactorFrom: fromTime } : {}),
        ...(remember !== undefined ? { rememberBrowserDays: remember === "inherit" ? null : Number(remember) } : {}),
        ...(newSignIn !== undefined ? { newSignInEmail: newSignIn === "inherit" ? null : newSignIn === "on" } : {}),
      });
    } catch (error) {
      // A layer saved before this check may still name SMS alone: say so, and save nothing.
      if (!(error instanceof PolicyError)) throw error;
      io.out(`Policy for "${account.name}" (${audience}) not changed: ${error.message}`);
      return 2;
    }
    io.out(`Policy for "${account.name}" (${audience}): ${JSON.stringify(layer)}`);
    return 0;
  });
}
