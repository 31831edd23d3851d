import { methodTypes, type MethodType } from "../../domain/model.js";
import type { FactorEnrolment } from "./factor-enrolment.js";
import { smsEnrolment } from "./sms/enrolment.js";
import { totpEnrolment } from "./totp/enrolment.js";
import { webauthnEnrolment } from "./webauthn/enrolment.js";

export type { FactorEnrolment, FactorReset, FirstMethodConfirmed, FirstMethodStep, ResetBegun, ResetField, ResetInput } from "./factor-enrolment.js";

/** Every factor's enrolment half (factor-enrolment.ts), beside the factor registry (registry.ts). */
const enrolments = { totp: totpEnrolment, sms: smsEnrolment, webauthn: webauthnEnrolment } satisfies Record<MethodType, FactorEnrolment>;

export function enrolmentFor(type: MethodType): FactorEnrolment {
  return enrolments[type];
}

/** The factors a pending method of is confirmed with a typed code (their `confirmWithCode`), in the order the pages offer them. */
export function typesConfirmedWithCode(): TypeConfirmedWithCode[] {
  return methodTypes.filter((type): type is TypeConfirmedWithCode => enrolments[type].confirmWithCode !== null);
}

/** The types whose enrolment has a `confirmWithCode` (TOTP, SMS), as a type: their confirm steps take `{ methodId, code }`. */
export type TypeConfirmedWithCode = { [T in MethodType]: (typeof enrolments)[T]["confirmWithCode"] extends null ? never : T }[MethodType];

/** A factor's first-method steps (P1), with each step's own input and answer types. */
export type FirstMethodSteps<T extends MethodType> = (typeof enrolments)[T]["firstMethod"];

export function firstMethodSteps<T extends MethodType>(type: T): FirstMethodSteps<T> {
  return enrolments[type].firstMethod;
}
