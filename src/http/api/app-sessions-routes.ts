import { Type } from "@sinclair/typebox";
import type { ServiceDeps } from "../../services/deps.js";
import { signOutOfApp, signedInApps } from "../../services/apps/signed-in-apps.js";
import { requestContext } from "../context.js";
import { sendApiFailure } from "../failure.js";
import { ClientIdParams } from "../params.js";
import { iso } from "./present.js";
import { errors } from "./schemas.js";
import { requireApiSession } from "./session.js";
import type { TypedApp } from "../typed-app.js";

const SignedInApp = Type.Object({
  clientId: Type.String({ description: "The app's client id" }),
  name: Type.String(),
  signedInAt: Type.String({ format: "date-time", description: "The earliest sign-in to it that is still live" }),
});
const AppsResponse = Type.Object({ apps: Type.Array(SignedInApp, { description: "Oldest sign-in first" }) });
const SignedOutResponse = Type.Object({ signedOut: Type.String({ description: "The app's name; its back-channel logout is on its way" }) });

/** Issue 15: the apps the session user is signed in to through twostep ("Apps you are signed in to"), and signing out of one. */
export function registerAppSessionsApi(app: TypedApp, deps: ServiceDeps) {
  // onRequest, not preHandler: who is asking is settled before the path's client id is checked (401 first).
  const auth = { onRequest: requireApiSession(deps) };
  const doc = (summary: string) => ({ tags: ["session"], summary, security: [{ session: [] }] });

  app.get("/me/apps", { ...auth, schema: { ...doc("Apps you are signed in to through twostep"), response: { 200: AppsResponse, ...errors(401) } } }, async (request) => {
    const apps = await signedInApps(deps, request.auth!.user);
    return { apps: apps.map((each) => ({ clientId: each.clientId, name: each.name, signedInAt: iso(each.signedInAt) })) };
  });

  app.delete(
    "/me/apps/:clientId",
    { ...auth, schema: { ...doc("Sign out of one app: its session ends in every browser, and it gets a back-channel logout"), params: ClientIdParams, response: { 200: SignedOutResponse, ...errors(400, 401, 404) } } },
    async (request, reply) => {
      const result = await signOutOfApp(deps, request.auth!.user, request.params.clientId, requestContext(request));
      return result.ok ? { signedOut: result.app } : sendApiFailure(reply, result);
    },
  );
}
