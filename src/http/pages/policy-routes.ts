import type { FastifyReply, FastifyRequest } from "fastify";
import { errorMessage, type Failure, type Result } from "../../services/failures.js";
import type { PolicyAudience } from "../../services/policy/policy.js";
import type { PolicyLevelInput } from "../../services/policy/policy-levels.js";
import { policyLevelsFor, setPolicyLevel } from "../../services/policy/policy-levels.js";
import type { ServiceDeps } from "../../services/deps.js";
import { sessionActor } from "../../services/sessions/sessions.js";
import { hasOwnTwoFactor } from "../../services/sessions/step-up.js";
import { requestContext } from "../context.js";
import { failureAnswer } from "../failure.js";
import { formSchema } from "./form-schema.js";
import { csrfToken, noticeFrom, redirect, sendPage } from "./render.js";
import { requirePageSession } from "./settings-routes.js";
import { policyLevelsPage, type LevelFormValues } from "./views/policy-levels.js";
import type { TypedApp } from "../typed-app.js";

const title = "Two-factor policy";
const path = "/panel/policy";
const audiences = ["own_users", "reseller_users", "customer_users"] as const;
/** One form holds every level: its fields are named `<audience>-<field>` and only the chosen audience's are read. */
const levelFieldNames = audiences.flatMap((audience) => (["from", "methods", "recovery", "password", "remember", "newsignin"] as const).map((field) => `${audience}-${field}` as const));
type LevelFieldName = (typeof levelFieldNames)[number];
const formFields = Object.fromEntries(levelFieldNames.map((name) => [name, 32])) as Record<LevelFieldName, number>;

/** The form's words for "inherit" and yes/no, as the service's input (the service checks every value). */
function levelInput(values: LevelFormValues): Result<{ input: PolicyLevelInput }> {
  const input: PolicyLevelInput = {};
  if (values.from !== undefined) input.requireTwoFactorFrom = values.from.trim() === "" ? null : values.from;
  if (values.methods !== undefined) input.allowedMethods = values.methods === "inherit" ? null : values.methods.split(",").map((method) => method.trim());
  if (values.recovery !== undefined) input.recoveryCodePolicy = values.recovery === "inherit" ? null : values.recovery;
  if (values.password !== undefined) {
    if (!["inherit", "yes", "no"].includes(values.password)) return { ok: false, code: "invalid_request", field: "rotatePasswordOnDisable" };
    input.rotatePasswordOnDisable = values.password === "inherit" ? null : values.password === "yes";
  }
  if (values.newsignin !== undefined) {
    if (!["inherit", "yes", "no"].includes(values.newsignin)) return { ok: false, code: "invalid_request", field: "newSignInEmail" };
    input.newSignInEmail = values.newsignin === "inherit" ? null : values.newsignin === "yes";
  }
  if (values.remember !== undefined) {
    if (values.remember !== "inherit" && !/^\d{1,3}$/.test(values.remember)) return { ok: false, code: "invalid_request", field: "rememberBrowserDays" };
    input.rememberBrowserDays = values.remember === "inherit" ? null : Number(values.remember);
  }
  return { ok: true, input };
}

/**
 * P1, M5, R5, D1: each level's admin sets the whole policy layer of their
 * level, seeing what the levels above set and the result. No JavaScript; CSRF
 * on the form; saving needs a fresh second factor (SECURITY 17, 29, 33).
 */
export function registerPolicyPages(app: TypedApp, deps: ServiceDeps) {
  const requireSession = requirePageSession(deps);

  const forbidden = (reply: FastifyReply, failure: Failure) =>
    sendPage(reply, { title: "Not allowed", narrow: true, status: failureAnswer(failure).status }, policyLevelsPage.forbidden(
      failure.code === "forbidden" ? "Only an account's administrators can set its two-factor policy." : failureAnswer(failure).message,
    ));

  const show = async (request: FastifyRequest, reply: FastifyReply, status = 200, values?: { audience: string } & LevelFormValues, errors?: Record<string, string>) => {
    const levels = await policyLevelsFor(deps, sessionActor(request.auth!), requestContext(request));
    if (!levels.ok) return forbidden(reply, levels);
    const ownTwoFactor = await hasOwnTwoFactor(deps, request.auth!);
    const page = policyLevelsPage.page({ csrfToken: csrfToken(reply), account: levels.account, levels: levels.levels, ownTwoFactor, ...(values ? { values } : {}), ...(errors ? { errors } : {}) });
    return sendPage(reply, { title, status, notice: status === 200 ? noticeFrom(request) : null }, page);
  };

  // The page moved under the admin panel; old bookmarks land there (303: a GET either way).
  app.get("/settings/two-factor-policy", { preHandler: requireSession }, async (_request, reply) => reply.code(303).redirect(path));

  app.get(path, { preHandler: requireSession }, async (request, reply) => show(request, reply));

  app.post(path, { schema: formSchema({ audience: 32, ...formFields }, levelFieldNames), preHandler: [requireSession, app.csrfProtection] }, async (request, reply) => {
    const { audience, _csrf, ...body } = request.body;
    const prefix = `${audience}-`;
    const values: LevelFormValues = Object.fromEntries(Object.entries(body).filter(([key]) => key.startsWith(prefix)).map(([key, value]) => [key.slice(prefix.length), value]));
    const parsed = levelInput(values);
    const result = parsed.ok ? await setPolicyLevel(deps, sessionActor(request.auth!), audience as PolicyAudience, parsed.input, requestContext(request)) : parsed;
    if (result.ok) return redirect(reply, `${path}?notice=policy_saved`);
    if (result.code === "step_up_required") return redirect(reply, `/settings/confirm?next=${encodeURIComponent(path)}`);
    if (result.code === "forbidden") return forbidden(reply, result);
    // The page again, its forms disabled under the way to set up the admin's own 2FA.
    if (result.code === "own_two_factor_required") return show(request, reply, failureAnswer(result).status);
    const answer = failureAnswer(result);
    return show(request, reply, answer.status, { audience, ...values }, { [answer.field ?? "requireTwoFactorFrom"]: errorMessage(result.code) });
  });
}
