import type { MethodType } from "../../domain/model.js";
import type { FactorEnrolment } from "./factor-enrolment.js";
import { smsEnrolment } from "./sms/enrolment.js";
import { totpEnrolment } from "./totp/enrolment.js";
import { webauthnEnrolment } from "./webauthn/enrolment.js";

export type { FactorEnrolment, FactorReset, ResetBegun, ResetField, ResetInput } from "./factor-enrolment.js";

/** Every factor's enrolment half (factor-enrolment.ts), beside the factor registry (registry.ts). */
const enrolments: Record<MethodType, FactorEnrolment> = { totp: totpEnrolment, sms: smsEnrolment, webauthn: webauthnEnrolment };

export function enrolmentFor(type: MethodType): FactorEnrolment {
  return enrolments[type];
}
