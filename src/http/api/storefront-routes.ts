import { Type } from "@sinclair/typebox";
import { sessionSurface, type RouteSurface } from "./route-surface.js";
import type { ServiceDeps } from "../../services/deps.js";
import { sessionActor } from "../../services/sessions/sessions.js";
import { disableCustomerTwoFactor, listCustomers, maxPageSize, showCustomer } from "../../services/storefront/index.js";
import { requestContext } from "../context.js";
import { CustomerParams, CustomerUserParams } from "../params.js";
import { sendApiFailure } from "../failure.js";
import { errors } from "./schemas.js";
import { requireApiSession } from "./session.js";
import type { TypedApp } from "../typed-app.js";

const AccountBody = Type.Object({ id: Type.String(), name: Type.String() });
const CustomerRow = Type.Object({
  account: AccountBody,
  users: Type.Integer({ description: "How many users the customer account has" }),
  usersWithTwoFactor: Type.Integer({ description: "How many of them have two-factor authentication enabled" }),
});
const CustomersResponse = Type.Object({
  reseller: AccountBody,
  customers: Type.Array(CustomerRow),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: "Pass as `cursor` for the next page; null on the last page" }),
});
const CustomersQuery = Type.Object(
  {
    search: Type.Optional(Type.String({ maxLength: 100, description: "The start of the account name (case-insensitive)" })),
    cursor: Type.Optional(Type.String({ maxLength: 700 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maxPageSize, default: 25 })),
    resellerId: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9-]{1,64}$", description: "Platform support only: whose customers; a reseller's users always get their own" })),
  },
  { additionalProperties: false },
);
const CustomerUser = Type.Object({
  id: Type.String(),
  email: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
  active: Type.Boolean(),
  twoFactorEnabled: Type.Boolean({ description: "Read-only: a reseller can disable it, never enable it" }),
  methods: Type.Array(Type.String(), { description: "Types of the active methods (totp, sms); never a secret" }),
});
const CustomerResponse = Type.Object({ account: AccountBody, reseller: Type.Union([AccountBody, Type.Null()]), users: Type.Array(CustomerUser) });
const DisabledResponse = Type.Object({ disabled: Type.Literal(true), user: Type.Object({ id: Type.String(), email: Type.String(), displayName: Type.String() }) });

const account = (value: { id: string; name: string }) => ({ id: value.id, name: value.name });

/**
 * A3 in the JSON API: the storefront manager's customers, a customer's users
 * with their 2FA status, and disabling a customer user's 2FA. The same services
 * as the pages; disabling needs a fresh second factor (403 `step_up_required`,
 * confirm with the step-up route, then retry).
 */
export function registerStorefrontApi(app: TypedApp, deps: ServiceDeps) {
  const auth = { onRequest: requireApiSession(deps) };
  const doc = (summary: string) => ({ tags: ["storefront"], summary, security: [{ session: [] }] });

  registerCustomersListRoute(app, deps, sessionSurface("/storefront/customers", auth), "storefront");

  app.get(
    "/storefront/customers/:accountId",
    { ...auth, schema: { ...doc("A customer account and its users, each with twoFactorEnabled"), params: CustomerParams, response: { 200: CustomerResponse, ...errors(400, 401, 403, 404) } } },
    async (request, reply) => {
      const { accountId } = request.params;
      const result = await showCustomer(deps, sessionActor(request.auth!), accountId, requestContext(request));
      if (!result.ok) return sendApiFailure(reply, result);
      return { account: account(result.account), reseller: result.reseller && account(result.reseller), users: result.users };
    },
  );

  app.post(
    "/storefront/customers/:accountId/users/:userId/two-factor/disable",
    {
      ...auth,
      schema: {
        ...doc("Disable a customer user's 2FA: deletes their secrets and recovery codes, ends their sessions, emails them (needs step-up)"),
        params: CustomerUserParams,
        response: { 200: DisabledResponse, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { accountId, userId } = request.params;
      const result = await disableCustomerTwoFactor(deps, sessionActor(request.auth!), userId, requestContext(request), { accountId });
      if (!result.ok) return sendApiFailure(reply, result);
      return { disabled: true as const, user: { id: result.user.id, email: result.user.email, displayName: result.user.displayName } };
    },
  );
}

/** GET the reseller's customers with 2FA counts, on the session API or the platform API. */
export function registerCustomersListRoute(app: TypedApp, deps: ServiceDeps, surface: RouteSurface, tag: string) {
  app.get(
    surface.path,
    { ...surface.hooks, schema: { tags: [tag], security: surface.security, summary: "A page of the reseller's customer accounts, by name, with 2FA counts", querystring: CustomersQuery, response: { 200: CustomersResponse, ...errors(400, 401, 403, 404) } } },
    async (request, reply) => {
      const query = request.query;
      const result = await listCustomers(deps, surface.actorOf(request), query, requestContext(request));
      if (!result.ok) return sendApiFailure(reply, result);
      return { reseller: account(result.reseller), customers: result.customers.map((row) => ({ ...row, account: account(row.account) })), nextCursor: result.nextCursor };
    },
  );
}
