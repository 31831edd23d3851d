import type { FastifyInstance, FastifyReply } from "fastify";
import { appLoginRules } from "../../services/apps/app-login-rules.js";
import type { ServiceDeps } from "../../services/deps.js";
import { returnToCookie } from "./return-to.js";

/** Adds `origin` to the CSP's form-action directive of this response (the header helmet set). */
export function allowFormActionTo(getHeader: () => unknown, setHeader: (value: string) => void, origin: string) {
  const csp = getHeader();
  if (typeof csp !== "string" || !/form-action /.test(csp)) return;
  setHeader(csp.replace(/form-action ([^;]*)/, (_match, sources: string) => `form-action ${sources} ${origin}`));
}

/**
 * Chromium and Safari check the CSP's `form-action` against every redirect a
 * form post leads to (OIDC-NOTES §11): the last form of an app's sign-in
 * (password, code, enrolment) ends, through twostep's own redirects, at the
 * app's redirect URI on another origin (or, for forward auth, at the panel's
 * page). While such a login is pending in this browser, twostep's pages allow
 * exactly that origin: the app's redirect origin read from the stored
 * interaction, or a registered forward-auth origin.
 */
export function registerSignInFormAction(app: FastifyInstance, deps: ServiceDeps) {
  // A callback hook, not an async one: every answer passes here, and only a page pays for a promise.
  app.addHook("onSend", (request, reply: FastifyReply, payload, done) => {
    const contentType = reply.getHeader("content-type");
    if (typeof contentType !== "string" || !contentType.startsWith("text/html")) return done(null, payload);
    const query = (request.query as Record<string, unknown> | undefined)?.return_to;
    const returnTo = request.cookies[returnToCookie] ?? (typeof query === "string" ? query : undefined);
    if (returnTo === undefined) return done(null, payload);
    // An app's sign-in: the app's redirect origin; forward auth: the registered origin the login returns to.
    appLoginRules(deps, returnTo).then((rules) => {
      if (rules?.redirectOrigin) allowFormActionTo(() => reply.getHeader("content-security-policy"), (value) => reply.header("content-security-policy", value), rules.redirectOrigin);
      done(null, payload);
    }, done);
  });
}
