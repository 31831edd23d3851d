import { Type } from "@sinclair/typebox";
import { sessionSurface, type RouteSurface } from "./route-surface.js";
import type { FastifyRequest } from "fastify";
import { defaultPageSize, getAccountUser, listAccountUsers, maximumPageSize, type AccountUserView } from "../../services/admin/account-users.js";
import { createAccountUser } from "../../services/admin/create-user.js";
import { deactivateUser, reactivateUser } from "../../services/admin/deactivate-user.js";
import type { ServiceDeps } from "../../services/deps.js";
import { sessionActor } from "../../services/sessions/sessions.js";
import { requestContext } from "../context.js";
import { UserIdParams } from "../params.js";
import { sendApiFailure } from "../failure.js";
import { errors, MethodTypeSchema } from "./schemas.js";
import { requireApiSession } from "./session.js";
import type { TypedApp } from "../typed-app.js";

const methodType = MethodTypeSchema;
const AdminUser = Type.Object({
  id: Type.String(),
  email: Type.String(),
  displayName: Type.String(),
  role: Type.Union([Type.Literal("admin"), Type.Literal("member"), Type.Literal("support")]),
  active: Type.Boolean(),
  twoFactorEnabled: Type.Boolean({ description: "At least one active 2FA method" }),
  methods: Type.Array(methodType, { description: "Types of the user's active methods" }),
  lastLoginAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()], { description: "The newest session's creation; null if never" }),
});
const Coverage = Type.Object(
  { total: Type.Integer(), withTwoFactor: Type.Integer() },
  { description: 'The whole account (not only this page): "withTwoFactor of total users have 2FA"' },
);
const UsersResponse = Type.Object({
  accountId: Type.String(),
  users: Type.Array(AdminUser),
  coverage: Coverage,
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: "Pass as `cursor` for the next page; null on the last page" }),
});
const UsersQuery = Type.Object(
  {
    search: Type.Optional(Type.String({ maxLength: 254, description: "Beginning of an email or a display name" })),
    withoutTwoFactor: Type.Optional(Type.Boolean({ description: "true: only users without an active 2FA method" })),
    cursor: Type.Optional(Type.String({ maxLength: 400 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maximumPageSize, description: `Page size, 1 to ${maximumPageSize} (default ${defaultPageSize})` })),
  },
  { additionalProperties: false },
);
const CreateUserBody = Type.Object(
  {
    email: Type.String({ maxLength: 320 }),
    displayName: Type.String({ maxLength: 200 }),
    // Any string: a wrong role is the service's own `invalid_role` naming the field.
    role: Type.String({ maxLength: 16, examples: ["member", "admin"] }),
  },
  { additionalProperties: false },
);
const UserResponse = Type.Object({ user: AdminUser });

const present = (user: AccountUserView) => ({ ...user, lastLoginAt: user.lastLoginAt === null ? null : new Date(user.lastLoginAt).toISOString() });

/**
 * A1 in the JSON API: the same services (and so the same access table) as
 * /panel/users. Session bearer auth; every route is refused (403) to anyone
 * the table does not allow, including users of another account.
 */
export function registerAdminUsersApi(app: TypedApp, deps: ServiceDeps) {
  const auth = { onRequest: requireApiSession(deps) };
  const doc = (summary: string) => ({ tags: ["admin"], summary, security: [{ session: [] }] });
  const actorOf = (request: FastifyRequest) => sessionActor(request.auth!);

  registerUsersListRoute(app, deps, sessionSurface("/admin/users", auth), "admin");

  app.post(
    "/admin/users",
    {
      ...auth,
      schema: { ...doc("Create a user; they get an invitation email with a single-use set-password link (user.created)"), body: CreateUserBody, response: { 201: UserResponse, ...errors(400, 401, 403, 409, 415) } },
    },
    async (request, reply) => {
      const body = request.body;
      const created = await createAccountUser(deps, actorOf(request), body, requestContext(request));
      if (!created.ok) return sendApiFailure(reply, created);
      const found = await getAccountUser(deps, actorOf(request), created.user.id, requestContext(request));
      if (!found.ok) return sendApiFailure(reply, found);
      return reply.status(201).send({ user: present(found.view) });
    },
  );

  app.get(
    "/admin/users/:userId",
    { ...auth, schema: { ...doc("One user of the account, with 2FA status and last login"), params: UserIdParams, response: { 200: UserResponse, ...errors(400, 401, 403) } } },
    async (request, reply) => {
      const found = await getAccountUser(deps, actorOf(request), request.params.userId, requestContext(request));
      if (!found.ok) return sendApiFailure(reply, found);
      return { user: present(found.view) };
    },
  );

  for (const [path, change, summary] of [
    ["deactivate", deactivateUser, "Deactivate a user: they cannot log in, their sessions end (user.deactivated; needs a fresh second factor)"],
    ["reactivate", reactivateUser, "Reactivate a deactivated user (user.reactivated)"],
  ] as const) {
    app.post(
      `/admin/users/:userId/${path}`,
      { ...auth, schema: { ...doc(summary), params: UserIdParams, response: { 200: UserResponse, ...errors(400, 401, 403, 409) } } },
      async (request, reply) => {
        const result = await change(deps, actorOf(request), request.params.userId, requestContext(request));
        if (!result.ok) return sendApiFailure(reply, result);
        const found = await getAccountUser(deps, actorOf(request), request.params.userId, requestContext(request));
        if (!found.ok) return sendApiFailure(reply, found);
        return { user: present(found.view) };
      },
    );
  }
}

/** GET the account's users with 2FA status and coverage, on the session API or the platform API. */
export function registerUsersListRoute(app: TypedApp, deps: ServiceDeps, surface: RouteSurface, tag: string) {
  app.get(
    surface.path,
    { ...surface.hooks, schema: { tags: [tag], security: surface.security, summary: "The account's users with their 2FA status, and the account's 2FA coverage", querystring: UsersQuery, response: { 200: UsersResponse, ...errors(400, 401, 403) } } },
    async (request, reply) => {
      const query = request.query;
      const page = await listAccountUsers(
        deps,
        surface.actorOf(request),
        {
          withoutTwoFactor: query.withoutTwoFactor === true,
          ...(query.search === undefined ? {} : { search: query.search }),
          ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
          ...(query.limit === undefined ? {} : { limit: query.limit }),
        },
        requestContext(request),
      );
      if (!page.ok) return sendApiFailure(reply, page);
      return { accountId: page.account.id, users: page.users.map(present), coverage: page.coverage, nextCursor: page.nextCursor };
    },
  );
}
