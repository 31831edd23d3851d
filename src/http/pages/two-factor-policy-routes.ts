import type { FastifyInstance } from "fastify";
import { errorMessage } from "../../domain/errors.js";
import type { PolicyAudience } from "../../domain/policy.js";
import type { ServiceDeps } from "../../services/deps.js";
import { setTwoFactorRequirements, twoFactorPolicyFor } from "../../services/two-factor-policy-admin.js";
import { formSchema } from "./form-schema.js";
import { csrfToken, noticeFrom, redirect, sendPage } from "./render.js";
import { requirePageSession } from "./settings-routes.js";
import { twoFactorPolicyForm } from "./views/two-factor-policy.js";

const title = "Two-factor requirement";

/** P1: admins set their level's 2FA requirement and date (no JavaScript needed; CSRF like every form). */
export function registerTwoFactorPolicyPages(app: FastifyInstance, deps: ServiceDeps) {
  const requireSession = requirePageSession(deps);

  app.get("/settings/two-factor-policy", { preHandler: requireSession }, async (request, reply) => {
    const policy = await twoFactorPolicyFor(deps, request.auth!);
    if (!policy.ok) return sendPage(reply, { title: "Not allowed", narrow: true, status: 403 }, twoFactorPolicyForm.forbidden());
    return sendPage(reply, { title, notice: noticeFrom(request) }, twoFactorPolicyForm.page({ csrfToken: csrfToken(reply), account: policy.account, rows: policy.rows }));
  });

  app.post(
    "/settings/two-factor-policy",
    { schema: formSchema({ own_users: 32, reseller_users: 32, customer_users: 32 }, ["own_users", "reseller_users", "customer_users"]), preHandler: [requireSession, app.csrfProtection] },
    async (request, reply) => {
      const { _csrf, ...body } = request.body as Partial<Record<PolicyAudience | "_csrf", string>>;
      const result = await setTwoFactorRequirements(deps, request.auth!, body);
      if (result.ok) return redirect(reply, "/settings/two-factor-policy?notice=policy_saved");
      const policy = await twoFactorPolicyFor(deps, request.auth!);
      if (!policy.ok || result.code === "forbidden") return sendPage(reply, { title: "Not allowed", narrow: true, status: 403 }, twoFactorPolicyForm.forbidden());
      const errors = Object.fromEntries(("fields" in result ? result.fields : []).map((field) => [field, errorMessage("invalid_date")]));
      return sendPage(reply, { title, status: 400 }, twoFactorPolicyForm.page({ csrfToken: csrfToken(reply), account: policy.account, rows: policy.rows, values: body, errors }));
    },
  );
}
