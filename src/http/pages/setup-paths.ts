import type { MethodType } from "../../services/model.js";

/**
 * Where each factor's setup lives in the pages: where it starts from the
 * security page, where a pending method of it continues (a reset's new setup),
 * and how it starts at login when policy requires 2FA (P1). The factor's words
 * come from the registry; the paths are the pages' own. The Record's type makes
 * a new factor a compile error here until its line is written.
 */
export interface SetupPages {
  start: string;
  /** The page that confirms a pending method; null when the setup is one ceremony (a key). */
  pending: ((methodId: string) => string) | null;
  /** Its start at login (P1): a form post (a pending method is made at once) or a page. */
  atLogin: { path: string; post: boolean };
}

export const setupPages: Record<MethodType, SetupPages> = {
  totp: { start: "/settings/two-factor/setup", pending: (id) => `/settings/two-factor/setup/${id}`, atLogin: { path: "/login/enrol/totp", post: true } },
  sms: { start: "/settings/two-factor/sms", pending: (id) => `/settings/two-factor/sms/${id}`, atLogin: { path: "/login/enrol/sms", post: false } },
  webauthn: { start: "/settings/security-keys/new", pending: null, atLogin: { path: "/login/enrol/security-key", post: false } },
};
