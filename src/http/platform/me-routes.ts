import { Type } from "@sinclair/typebox";
import type { ServiceDeps } from "../../services/deps.js";
import { errors } from "../api/schemas.js";
import type { TypedApp } from "../typed-app.js";

const MeResponse = Type.Object({
  user: Type.Object({ id: Type.String(), email: Type.String(), displayName: Type.String(), role: Type.String() }),
  account: Type.Object({ id: Type.String(), name: Type.String(), kind: Type.String() }),
});

/** GET /api/platform/v1/me: whose key this is (a check that a key works, without touching anything). */
export function registerPlatformMe(app: TypedApp, _deps: ServiceDeps) {
  app.get(
    "/me",
    { schema: { tags: ["platform"], summary: "The API key's user and account", security: [{ apiKey: [] }], response: { 200: MeResponse, ...errors(401) } } },
    async (request) => {
      const { user, account } = request.actor!;
      return { user: { id: user.id, email: user.email, displayName: user.displayName, role: user.role }, account: { id: account.id, name: account.name, kind: account.kind } };
    },
  );
}
