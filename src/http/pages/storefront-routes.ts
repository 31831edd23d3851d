import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Failure } from "../../services/failures.js";
import { sessionActor } from "../../services/sessions/sessions.js";
import { hasOwnTwoFactor } from "../../services/sessions/step-up.js";
import type { ServiceDeps } from "../../services/deps.js";
import { disableCustomerTwoFactor, listCustomers, showCustomer } from "../../services/storefront/index.js";
import { requestContext } from "../context.js";
import { CustomerParams, CustomerUserParams } from "../params.js";
import { formSchema } from "./form-schema.js";
import { csrfToken, redirect, sendPage } from "./render.js";
import { requirePageSession } from "./settings-routes.js";
import { customerPath, customerRecordPage, customersPage, disableConfirmPage, disablePath, storefrontNotAllowed, storefrontNotFound } from "./views/storefront.js";
import type { TypedApp } from "../typed-app.js";

const listQuery = Type.Object({ search: Type.Optional(Type.String({ maxLength: 100 })), cursor: Type.Optional(Type.String({ maxLength: 700 })) }, { additionalProperties: false });
const recordQuery = Type.Object({ notice: Type.Optional(Type.String({ maxLength: 64 })), user: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false });

/**
 * A3, the storefront manager (reseller control panel): Customers → a
 * customer's record → Disable → a confirmation page → a notice. Every page
 * asks the services, which ask the access table for each customer; no
 * JavaScript is needed and the one change is a CSRF-protected POST.
 */
export function registerStorefrontPages(app: TypedApp, deps: ServiceDeps) {
  const requireSession = requirePageSession(deps);

  const refuse = (reply: FastifyReply, failure: Failure) =>
    failure.code === "forbidden"
      ? sendPage(reply, { title: "Not allowed", narrow: true, status: 403 }, storefrontNotAllowed())
      : sendPage(reply, { title: "Not found", narrow: true, status: failure.code === "invalid_request" ? 400 : 404 }, storefrontNotFound());

  app.get("/storefront/customers", { schema: { querystring: listQuery }, preHandler: requireSession }, async (request, reply) => {
    const query = request.query;
    const result = await listCustomers(deps, sessionActor(request.auth!), { search: query.search ?? null, cursor: query.cursor ?? null }, requestContext(request));
    if (!result.ok) return refuse(reply, result);
    const searchPart = result.search ? `search=${encodeURIComponent(result.search)}&` : "";
    const nextPath = result.nextCursor ? `/storefront/customers?${searchPart}cursor=${result.nextCursor}` : null;
    const firstPath = query.cursor ? `/storefront/customers${result.search ? `?search=${encodeURIComponent(result.search)}` : ""}` : null;
    return sendPage(reply, { title: "Customers" }, customersPage({ reseller: result.reseller, customers: result.customers, search: result.search, nextPath, firstPath }));
  });

  app.get("/storefront/customers/:accountId", { schema: { params: CustomerParams, querystring: recordQuery }, preHandler: requireSession }, async (request, reply) => {
    const { accountId } = request.params;
    const result = await showCustomer(deps, sessionActor(request.auth!), accountId, requestContext(request));
    if (!result.ok) return refuse(reply, result);
    const query = request.query;
    // The notice names the user from the record just loaded, never from the query string.
    const disabledFor = query.notice === "customer_two_factor_disabled" ? result.users.find((user) => user.id === query.user) : undefined;
    const notice = disabledFor ? `Two-factor authentication has been disabled for ${disabledFor.displayName}.` : null;
    return sendPage(reply, { title: result.account.name, notice }, customerRecordPage(result));
  });

  /** Loads the customer and the user the confirmation is about; null (and a page sent) when they are not to be shown. */
  const loadTarget = async (request: FastifyRequest, reply: FastifyReply, { accountId, userId }: { accountId: string; userId: string }) => {
    const result = await showCustomer(deps, sessionActor(request.auth!), accountId, requestContext(request));
    if (!result.ok) return void (await refuse(reply, result));
    const user = result.users.find((candidate) => candidate.id === userId);
    if (!user) return void (await refuse(reply, { ok: false, code: "user_not_found" }));
    return { account: result.account, user };
  };

  app.get("/storefront/customers/:accountId/users/:userId/disable", { schema: { params: CustomerUserParams }, preHandler: requireSession }, async (request, reply) => {
    const target = await loadTarget(request, reply, request.params);
    if (!target) return reply;
    // Nothing to disable: back to the record, which shows "Disabled" and no button.
    if (!target.user.twoFactorEnabled) return redirect(reply, customerPath(target.account.id));
    return sendPage(reply, { title: "Disable two-factor authentication", narrow: true }, disableConfirmPage({ csrfToken: csrfToken(reply), ...target, ownTwoFactor: await hasOwnTwoFactor(deps, request.auth!) }));
  });

  app.post(
    "/storefront/customers/:accountId/users/:userId/disable",
    { schema: { params: CustomerUserParams, ...formSchema({}) }, preHandler: [requireSession, app.csrfProtection] },
    async (request, reply) => {
      const { accountId, userId } = request.params;
      const result = await disableCustomerTwoFactor(deps, sessionActor(request.auth!), userId, requestContext(request), { accountId });
      if (result.ok) return redirect(reply, `${customerPath(accountId)}?notice=customer_two_factor_disabled&user=${encodeURIComponent(userId)}`);
      // A stale session confirms it's you first, then comes back to this confirmation.
      if (result.code === "step_up_required") return redirect(reply, `/settings/confirm?next=${encodeURIComponent(disablePath(accountId, userId))}`);
      if (result.code === "two_factor_not_enabled") return redirect(reply, customerPath(accountId));
      if (result.code === "own_two_factor_required") {
        const target = await loadTarget(request, reply, request.params);
        if (!target) return reply;
        return sendPage(reply, { title: "Disable two-factor authentication", narrow: true, status: 403 }, disableConfirmPage({ csrfToken: csrfToken(reply), ...target, ownTwoFactor: false }));
      }
      return refuse(reply, result);
    },
  );
}
