import type { FastifyInstance } from "fastify";
import type { ServiceDeps } from "../../services/deps.js";
import { typedApp } from "../typed-app.js";
import { parseFormBody } from "./form-body.js";
import { registerEnrolmentPages } from "./enrolment-routes.js";
import { registerSecurityKeyPages } from "./security-key-routes.js";
import { registerLoginPages } from "./login-routes.js";
import { registerPasswordResetPages } from "./password-reset-routes.js";
import { registerSettingsPages } from "./settings-routes.js";
import { registerDevelopmentPages } from "./dev-routes.js";
import { registerMethodPages } from "./method-routes.js";
import { registerSmsPages } from "./sms-routes.js";
import { registerStepUpPages } from "./step-up-routes.js";
import { registerRequiredEnrolmentPages } from "./required-enrolment-routes.js";
import { registerPolicyPages } from "./policy-routes.js";
import { registerStorefrontPages } from "./storefront-routes.js";
import { registerEventLogPages } from "./event-log-routes.js";
import { registerApiKeyPages } from "./api-key-routes.js";
import { registerUsersPages } from "./users-routes.js";
import { registerResetRequestPages } from "./reset-request-routes.js";
import { registerTrustedBrowserPages } from "./trusted-browser-routes.js";
import { registerSessionPages } from "./session-routes.js";

/**
 * The HTML surface. Its own plugin scope: only url-encoded forms are parsed
 * here (a JSON body gets 415), and every form carries a CSRF token.
 */
export async function pagesPlugin(fastify: FastifyInstance, options: { deps: ServiceDeps; secureCookies: boolean }) {
  fastify.removeAllContentTypeParsers();
  // Url-encoded forms only, parsed strictly: a malformed encoding is a 400 before any route runs (form-body.ts).
  fastify.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "buffer", bodyLimit: 16 * 1024 }, (_request, body, done) => {
    done(null, parseFormBody(body as Buffer));
  });
  const app = typedApp(fastify);
  registerLoginPages(app, options.deps, options.secureCookies);
  registerPasswordResetPages(app, options.deps, options.secureCookies);
  registerSettingsPages(app, options.deps);
  registerEnrolmentPages(app, options.deps);
  registerSecurityKeyPages(app, options.deps);
  registerRequiredEnrolmentPages(app, options.deps, options.secureCookies);
  registerSmsPages(app, options.deps);
  registerMethodPages(app, options.deps);
  registerStepUpPages(app, options.deps);
  registerPolicyPages(app, options.deps);
  registerStorefrontPages(app, options.deps);
  registerEventLogPages(app, options.deps);
  registerApiKeyPages(app, options.deps);
  registerUsersPages(app, options.deps);
  registerResetRequestPages(app, options.deps);
  registerTrustedBrowserPages(app, options.deps);
  registerSessionPages(app, options.deps, options.secureCookies);
  if (options.deps.config.environment !== "production") registerDevelopmentPages(app, options.deps);
}
