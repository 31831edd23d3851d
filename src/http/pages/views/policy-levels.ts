import type { Account } from "../../../services/model.js";
import type { EffectivePolicy, PolicyAudience, PolicyLayer } from "../../../services/policy/policy.js";
import type { LevelAbove, PolicyLevel } from "../../../services/policy/policy-levels.js";
import { html, type Html } from "../html.js";
import { csrfField, field } from "./layout.js";
import { ownTwoFactorRequired } from "./own-two-factor.js";

const audienceLabels: Record<Account["kind"], Partial<Record<PolicyAudience, string>>> = {
  platform: { own_users: "Platform staff", reseller_users: "Every reseller's users", customer_users: "Every customer account's users" },
  reseller: { own_users: "Your reseller account's users", customer_users: "Your customers' users" },
  customer: { own_users: "Your account's users" },
};
const kindLabels: Record<Account["kind"], string> = { platform: "Platform", reseller: "Reseller", customer: "Account" };

export const levelLabel = (kind: Account["kind"], audience: PolicyAudience) => audienceLabels[kind][audience] ?? audience;
const dateValue = (time: number | null) => (time === null ? "" : new Date(time).toISOString().slice(0, 10));
const methodsValue = (methods: string[] | null) => (methods === null ? "inherit" : methods.join(","));
const boolValue = (value: boolean | null) => (value === null ? "inherit" : value ? "yes" : "no");

const methodWords: Record<string, string> = {
  totp: "Authenticator app (TOTP) only",
  "totp,sms": "Authenticator app (TOTP) and SMS",
  "totp,webauthn": "Authenticator app (TOTP) and security keys or passkeys",
  "totp,sms,webauthn": "Authenticator app (TOTP), SMS, and security keys or passkeys",
  webauthn: "Security keys and passkeys only (phishing-resistant)",
};
const methodChoices = ["totp", "totp,sms", "totp,webauthn", "totp,sms,webauthn", "webauthn"] as const;
const recoveryWords: Record<string, string> = { keep: "Keep 2FA on after a recovery-code login", disable: "Turn 2FA off after a recovery-code login" };
const passwordWords: Record<string, string> = { yes: "Yes: a new password when 2FA is turned off", no: "No new password needed" };

const rememberWords = (days: number) => (days === 0 ? "Never: the second step is asked at every login" : `Up to ${days} ${days === 1 ? "day" : "days"} on a browser the user chooses`);
/** Issue 17: the email a user gets when a browser new to them signs in. */
const newSignInWords: Record<string, string> = { yes: "Email the user when a new browser signs in", no: "No email for a new browser" };
const rememberValue = (days: number | null) => (days === null ? "inherit" : String(days));
/** The usual choices, plus a level's own value when the API set another. */
const rememberChoices = (current: number | null) => [...new Set([0, 7, 14, 30, 60, 90, ...(current === null ? [] : [current])])].sort((a, b) => a - b);

/** Each field of a policy in words, for the inherited and effective summaries. */
function describe(policy: { requireTwoFactorFrom: number | null; allowedMethods: string[] | null; recoveryCodePolicy: string | null; rotatePasswordOnDisable: boolean | null; rememberBrowserDays: number | null; newSignInEmail: boolean | null }) {
  return [
    ["Required from", policy.requireTwoFactorFrom === null ? "Not required" : dateValue(policy.requireTwoFactorFrom)],
    ["Allowed methods", policy.allowedMethods === null ? "Inherited" : (methodWords[methodsValue(policy.allowedMethods)] ?? policy.allowedMethods.join(", "))],
    ["Recovery codes", policy.recoveryCodePolicy === null ? "Inherited" : recoveryWords[policy.recoveryCodePolicy]],
    ["New password on disable", policy.rotatePasswordOnDisable === null ? "Inherited" : passwordWords[boolValue(policy.rotatePasswordOnDisable)]],
    ["Remember a browser", policy.rememberBrowserDays === null ? "Inherited" : rememberWords(policy.rememberBrowserDays)],
    ["New sign-in email", policy.newSignInEmail === null ? "Inherited" : newSignInWords[boolValue(policy.newSignInEmail)]],
  ] as const;
}

function summary(policy: EffectivePolicy | PolicyLayer, testId: string): Html {
  return html`<dl class="policy-summary" data-summary="${testId}">${describe(policy).map(([term, value]) => html`<dt>${term}</dt><dd>${value}</dd>`)}</dl>`;
}

function aboveList(above: LevelAbove[]): Html {
  if (above.length === 0) return html`<p>Nothing above this level: it starts from the platform's defaults.</p>`;
  return html`${above.map((level) => html`<h4>${kindLabels[level.accountKind]} level, ${level.accountName}: ${levelLabel(level.accountKind, level.audience)}</h4>${summary(level.layer, `above-${level.audience}`)}`)}`;
}

/** A labelled select; keyboard usable and without JavaScript. The error sits next to it. */
function choice(input: { name: string; label: string; value: string; options: [string, string][]; error?: string | null }): Html {
  const id = `field-${input.name}`;
  return html`<div class="field${input.error ? " has-error" : ""}">
  <label for="${id}">${input.label}</label>
  <select id="${id}" name="${input.name}"${input.error ? html` aria-invalid="true" aria-describedby="${id}-error"` : null}>
    ${input.options.map(([value, words]) => html`<option value="${value}"${value === input.value ? html` selected` : null}>${words}</option>`)}
  </select>
  ${input.error ? html`<p class="error" id="${id}-error" role="alert">${input.error}</p>` : null}
</div>`;
}

export type LevelFormValues = Partial<Record<"from" | "methods" | "recovery" | "password" | "remember" | "newsignin", string>>;

function levelForm(csrfToken: string, kind: Account["kind"], level: PolicyLevel, values: LevelFormValues, errors: Partial<Record<string, string>>, mayChange: boolean): Html {
  const name = (field: string) => `${level.audience}-${field}`;
  const inherited = level.inherited;
  const inheritWords = (words: string) => `Inherit (now: ${words})`;
  return html`<section class="card" aria-labelledby="level-${level.audience}">
<h2 id="level-${level.audience}">${levelLabel(kind, level.audience)}</h2>
<h3>Inherited from the levels above</h3>
${aboveList(level.above)}
<form method="post" action="/panel/policy" novalidate>
  ${csrfField(csrfToken)}
  <input type="hidden" name="audience" value="${level.audience}">
  <fieldset class="plain"${mayChange ? null : html` disabled`}>
  <legend class="visually-hidden">${levelLabel(kind, level.audience)}</legend>
  ${field({
    name: name("from"),
    label: "Two-factor required from",
    value: values.from ?? dateValue(level.layer.requireTwoFactorFrom),
    required: false,
    autocomplete: "off",
    maxlength: 32,
    error: errors.requireTwoFactorFrom ?? null,
    // A text field, not type="date": a browser's date picker shows the day in its own language's order.
    hint: `As YYYY-MM-DD, from 00:00 UTC that day. Leave empty to inherit (now: ${inherited.requireTwoFactorFrom === null ? "not required" : dateValue(inherited.requireTwoFactorFrom)}); the earliest date of any level applies.`,
  })}
  ${choice({
    name: name("methods"),
    label: "Allowed methods",
    value: values.methods ?? methodsValue(level.layer.allowedMethods),
    options: [["inherit", inheritWords(methodWords[methodsValue(inherited.allowedMethods)] ?? "")], ...methodChoices.map((value): [string, string] => [value, methodWords[value]!])],
    error: errors.allowedMethods ?? null,
  })}
  ${choice({
    name: name("recovery"),
    label: "After a recovery-code login",
    value: values.recovery ?? level.layer.recoveryCodePolicy ?? "inherit",
    options: [["inherit", inheritWords(recoveryWords[inherited.recoveryCodePolicy]!)], ["keep", recoveryWords.keep!], ["disable", recoveryWords.disable!]],
    error: errors.recoveryCodePolicy ?? null,
  })}
  ${choice({
    name: name("password"),
    label: "New password when 2FA is turned off",
    value: values.password ?? boolValue(level.layer.rotatePasswordOnDisable),
    options: [["inherit", inheritWords(passwordWords[boolValue(inherited.rotatePasswordOnDisable)]!)], ["yes", passwordWords.yes!], ["no", passwordWords.no!]],
    error: errors.rotatePasswordOnDisable ?? null,
  })}
  ${choice({
    name: name("remember"),
    label: "\"Don't ask again on this browser\" after the second step",
    value: values.remember ?? rememberValue(level.layer.rememberBrowserDays),
    options: [["inherit", inheritWords(rememberWords(inherited.rememberBrowserDays))], ...rememberChoices(level.layer.rememberBrowserDays).map((days): [string, string] => [String(days), rememberWords(days)])],
    error: errors.rememberBrowserDays ?? null,
  })}
  ${choice({
    name: name("newsignin"),
    label: "Email when a new browser signs in",
    value: values.newsignin ?? boolValue(level.layer.newSignInEmail),
    options: [["inherit", inheritWords(newSignInWords[boolValue(inherited.newSignInEmail)]!)], ["yes", newSignInWords.yes!], ["no", newSignInWords.no!]],
    error: errors.newSignInEmail ?? null,
  })}
  <button type="submit" class="primary">Save this level</button>
  </fieldset>
</form>
<h3>Effective policy for these users</h3>
${summary(level.effective, `effective-${level.audience}`)}
</section>`;
}

export const policyLevelsPage = {
  /** `ownTwoFactor` false: the levels are shown, their forms disabled, under the way to set up the admin's own 2FA. */
  page(input: { csrfToken: string; account: Account; levels: PolicyLevel[]; ownTwoFactor: boolean; values?: { audience: string } & LevelFormValues; errors?: Partial<Record<string, string>> }): Html {
    return html`<h1>Two-factor policy</h1>
<p>Set the two-factor policy of ${input.account.name}. Each field can inherit what the levels above set (platform, then reseller, then account); the most specific value wins, except the requirement date, where the earliest date of any level applies. Before that date users without 2FA see the deadline at each login and get reminders 14, 3 and 1 days before; from it on they must set it up before they can log in. Saving asks you to confirm it's you.</p>
${input.ownTwoFactor ? null : ownTwoFactorRequired({ action: "change the two-factor policy", headingLevel: 2 })}
${input.levels.map((level) =>
  levelForm(input.csrfToken, input.account.kind, level, input.values?.audience === level.audience ? input.values : {}, input.values?.audience === level.audience ? (input.errors ?? {}) : {}, input.ownTwoFactor),
)}`;
  },
  forbidden(message: string): Html {
    return html`<h1>Not allowed</h1><p>${message}</p><p><a href="/settings/security">Back to Security</a></p>`;
  },
};
