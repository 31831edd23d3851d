import type { MethodType } from "../../services/model.js";
import type { TotpEnrolmentView } from "../../services/factors/totp/enrolment.js";
import { showTotpEnrolment } from "../../services/factors/totp/enrolment.js";
import type { ServiceDeps } from "../../services/deps.js";
import type { ResetStarted } from "../../services/enrolment/methods.js";
import type { Authenticated } from "../../services/sessions/sessions.js";
import type { Result } from "../../services/failures.js";
import { renderQrPngDataUrl } from "../qr.js";
import { iso } from "./present.js";

/** An authenticator app's setup as JSON (TotpSetupResponse): the key, its URI and QR code, shown during enrolment only. */
export async function totpSetupAnswer(view: TotpEnrolmentView) {
  return { methodId: view.methodId, key: view.keyBase32, keyGrouped: view.keyGrouped, otpauthUri: view.keyUri, qrCodePng: await renderQrPngDataUrl(view.keyUri), expiresAt: iso(view.expiresAt) };
}

type ResetAnswer = ({ type: "totp" } & Awaited<ReturnType<typeof totpSetupAnswer>>) | { type: "sms"; methodId: string; maskedPhone: string; codeExpiresAt: string };

/**
 * What POST /api/me/methods/:id/reset answers, per factor: how the client
 * continues the new setup (the app's new key; the number the code went to).
 * Null for a factor that is never reset. The Record's type makes a new factor
 * a compile error here until its line is written.
 */
export const resetAnswers: Record<MethodType, ((deps: ServiceDeps, auth: Authenticated, started: ResetStarted) => Promise<Result<{ answer: ResetAnswer }>>) | null> = {
  totp: async (deps, auth, started) => {
    const view = await showTotpEnrolment(deps, auth, started.methodId);
    return view.ok ? { ok: true, answer: { type: "totp", ...(await totpSetupAnswer(view)) } } : view;
  },
  sms: async (_deps, _auth, started) => {
    // An SMS reset always texts its first code (factors/sms/enrolment.ts): no number and no expiry would be a bug, not an answer.
    if (!started.codeSentTo) throw new Error("an SMS reset began without sending a code");
    return { ok: true, answer: { type: "sms", methodId: started.methodId, maskedPhone: started.codeSentTo.maskedPhone, codeExpiresAt: iso(started.codeSentTo.expiresAt) } };
  },
  webauthn: null,
};
