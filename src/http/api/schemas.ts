import { Type, type TProperties } from "@sinclair/typebox";
import { errorCatalogue, type ErrorCode } from "../../services/failures.js";
import { methodTypes } from "../../services/model.js";

/** Every request body is closed: an unknown field is a 400 `unknown_field`. */
const closed = <T extends TProperties>(properties: T) => Type.Object(properties, { additionalProperties: false });

/** A method type, from the one list in the domain model. */
export const MethodTypeSchema = Type.Union(methodTypes.map((type) => Type.Literal(type)));

const flowId = Type.String({ maxLength: 64, description: "The flowId returned by POST /api/login" });
// No maxLength: a code of any length gets the format check's own `invalid_code_format`
// (SECURITY 5), not a generic `invalid_request`; the 16 KiB body limit bounds it.
const code = Type.String({ description: "A 6-digit code", examples: ["123456"] });

/** WebAuthn in JSON: the options to hand the browser, and its answer as the browser library gives it. */
function webauthnOptions(kind: "request" | "creation") {
  return Type.Object(
    { challenge: Type.String() },
    {
      additionalProperties: true,
      description: `PublicKeyCredential${kind === "request" ? "Request" : "Creation"}OptionsJSON: pass as optionsJSON to @simplewebauthn/browser's ${kind === "request" ? "startAuthentication" : "startRegistration"} (or decode for navigator.credentials.${kind === "request" ? "get" : "create"})`,
    },
  );
}
const webauthnCredential = Type.Object(
  { id: Type.String({ maxLength: 8192 }), rawId: Type.String({ maxLength: 8192 }), type: Type.Literal("public-key"), response: Type.Object({}, { additionalProperties: true }) },
  { additionalProperties: true, description: "The security key's answer as JSON (what startAuthentication / startRegistration resolve to), instead of a code" },
);
export const KeyOptionsBody = closed({ password: Type.Optional(Type.String({ maxLength: 1024, description: "Needed when 2FA is off; with 2FA on the session must have passed a second factor within the step-up window" })) });
export const KeyOptionsResponse = Type.Object({ expiresAt: Type.String({ format: "date-time" }), webauthnOptions: webauthnOptions("creation") });
export const KeyRegisterBody = closed({ name: Type.String({ maxLength: 256 }), credential: webauthnCredential });
export const KeyRegisteredResponse = Type.Object({ enabled: Type.Literal(true), methodId: Type.String(), recoveryCodes: Type.Union([Type.Array(Type.String()), Type.Null()]) });

export const ErrorBody = Type.Object(
  {
    // A string enum, not a union of literals: fast-json-stringify builds an Ajv branch test
    // per literal of an anyOf, in every route's serializer for every error status (~3 MB
    // of heap for 36 codes × ~90 error responses); an enum is serialized as a plain string.
    code: Type.Unsafe<ErrorCode>({ type: "string", enum: Object.keys(errorCatalogue) }),
    message: Type.String(),
    field: Type.Optional(Type.String()),
    retryAfterSeconds: Type.Optional(Type.Integer()),
  },
  { $id: "ErrorBody", description: "Every error: a code from the catalogue and a message people can read." },
);
/** A route's reference to the shared ErrorBody (registered once with addSchema in api/index.ts). */
const errorBodyRef = Type.Ref(ErrorBody);

export const MethodBody = Type.Object({
  id: Type.String(),
  type: MethodTypeSchema,
  name: Type.String(),
  isDefault: Type.Boolean(),
  createdAt: Type.String({ format: "date-time" }),
  lastUsedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  displayHint: Type.Union([Type.String({ description: "The masked phone number of an SMS method" }), Type.Null()]),
});

/** Whether the second step's code was texted (SMS default, L2). */
export const CodeDeliveryBody = Type.Object({
  status: Type.Union([Type.Literal("not_needed"), Type.Literal("sent"), Type.Literal("failed")]),
  expiresAt: Type.Optional(Type.String({ format: "date-time" })),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String(), retryAfterSeconds: Type.Optional(Type.Integer()) })),
});

/** Issue 7: the known-browser token an earlier completed login answered; skips the per-account password delay. */
const browserToken = Type.String({ maxLength: 64, description: "The browserToken of an earlier completed login of this user: this client then skips the per-account password delay (it still counts on its own)" });
const newBrowserToken = Type.Optional(
  Type.String({ description: "Keep it and send it as browserToken with later logins of this user (180 days by default); absent when the request's browserToken is still valid" }),
);
export const LoginBody = closed({ email: Type.String({ maxLength: 320 }), password: Type.String({ maxLength: 1024 }), browserToken: Type.Optional(browserToken) });
export const LoginResponse = Type.Union([
  Type.Object({
    status: Type.Literal("authenticated"),
    sessionToken: Type.String(),
    browserToken: newBrowserToken,
    twoFactorDeadline: Type.Optional(Type.String({ format: "date-time", description: "P1: 2FA becomes mandatory for this user then; show it with a \"Set up now\" link" })),
  }),
  Type.Object({
    status: Type.Literal("enrolment_required"),
    flowId: Type.String({ description: "Opens only the /api/login/enrol routes; every other route answers 403 two_factor_enrolment_required" }),
    expiresAt: Type.String({ format: "date-time" }),
    deadline: Type.String({ format: "date-time", description: "When 2FA became mandatory" }),
    allowedMethods: Type.Array(Type.String()),
  }),
  Type.Object({
    status: Type.Literal("second_factor_required"),
    flowId: Type.String(),
    expiresAt: Type.String({ format: "date-time" }),
    methods: Type.Array(MethodBody),
    currentMethodId: Type.Union([Type.String(), Type.Null()]),
    codeDelivery: CodeDeliveryBody,
    webauthnOptions: Type.Optional(webauthnOptions("request")),
  }),
]);
export const FlowBody = closed({ flowId });
/** PR1. */
export const PasswordResetRequestBody = closed({ email: Type.String({ maxLength: 320 }) });
export const PasswordResetRequestedResponse = Type.Object({
  status: Type.Literal("requested"),
  message: Type.String({ description: "The same for every email: it never says whether an account has it" }),
});
export const PasswordResetCompleteBody = closed({
  token: Type.String({ maxLength: 128, description: "The token from the emailed link's `token` query parameter" }),
  newPassword: Type.String({ maxLength: 1024 }),
});
export const CodeSentResponse = Type.Object({ sent: Type.Literal(true), expiresAt: Type.String({ format: "date-time" }), webauthnOptions: Type.Optional(webauthnOptions("request")) });
export const SecondFactorBody = closed({
  flowId,
  code: Type.Optional(code),
  credential: Type.Optional(webauthnCredential),
  methodId: Type.Optional(Type.String({ maxLength: 64 })),
  browserToken: Type.Optional(browserToken),
  rememberBrowser: Type.Optional(
    Type.Boolean({
      description:
        "L7 \"Don't ask again on this browser\": where policy allows, the answer sets the HttpOnly cookie twostep_trusted_browser (the token is never in a body); sent back with POST /api/login for this user it skips the second step. Ignored where policy does not allow it",
    }),
  ),
});
export const RecoveryLoginBody = closed({ flowId, code: Type.String({ maxLength: 128, examples: ["ABCD-EFGH-JKMN-PQRS"] }), browserToken: Type.Optional(browserToken) });
export const SwitchMethodBody = closed({ flowId, methodId: Type.String({ maxLength: 64 }) });
export const SessionResponse = Type.Object({
  status: Type.Literal("authenticated"),
  sessionToken: Type.String(),
  browserToken: newBrowserToken,
  recovery: Type.Optional(
    Type.Object({
      policy: Type.Union([Type.Literal("keep"), Type.Literal("disable")]),
      codesLeft: Type.Integer(),
      message: Type.String(),
    }),
  ),
});

export const PasswordBody = closed({ password: Type.String({ maxLength: 1024 }) });
export const CodeBody = closed({ code });
/** A security key is removed after a recent second factor (no code of it): `code` is for the other methods. */
export const DeleteMethodBody = closed({ code: Type.Optional(code) });
export const ProofBody = closed({ password: Type.Optional(Type.String({ maxLength: 1024 })), code: Type.Optional(code) });
export const StepUpBody = closed({ code: Type.Optional(code), password: Type.Optional(Type.String({ maxLength: 1024 })), credential: Type.Optional(webauthnCredential) });
export const StepUpOptionsResponse = Type.Object({ expiresAt: Type.String({ format: "date-time" }), webauthnOptions: webauthnOptions("request") });
export const StepUpResponse = Type.Object({ authenticatedAt: Type.String({ format: "date-time" }) });
export const DisableBody = closed({ password: Type.String({ maxLength: 1024 }), newPassword: Type.Optional(Type.String({ maxLength: 1024 })) });
export { MethodIdParams } from "../params.js";
const phoneNumber = Type.String({ maxLength: 64, description: "Mobile number with country code, e.g. +44 7400 123456", examples: ["+447400123456"] });
export const SmsSetupBody = closed({ password: Type.String({ maxLength: 1024 }), phoneNumber });
export const SmsSetupResponse = Type.Object({ methodId: Type.String(), maskedPhone: Type.String(), codeExpiresAt: Type.String({ format: "date-time" }) });
export const RenameBody = closed({ name: Type.String({ maxLength: 256 }) });
export const ResetBody = closed({ code, phoneNumber: Type.Optional(phoneNumber) });
export const MethodsResponse = Type.Object({ methods: Type.Array(MethodBody) });
export const DeleteMethodResponse = Type.Object({ deleted: Type.Literal(true), twoFactorDisabled: Type.Boolean() });
export const OkResponse = Type.Object({ ok: Type.Literal(true) });

export const TotpSetupResponse = Type.Object({
  type: Type.Optional(Type.Literal("totp")),
  methodId: Type.String(),
  key: Type.String({ description: "Base32, no padding: shown during enrolment only" }),
  keyGrouped: Type.String(),
  otpauthUri: Type.String(),
  qrCodePng: Type.String({ description: "data:image/png;base64,… QR code of otpauthUri" }),
  expiresAt: Type.String({ format: "date-time" }),
});
export const RecoveryCodesResponse = Type.Object({ recoveryCodes: Type.Array(Type.String()) });
export const ConfirmResponse = Type.Object({ enabled: Type.Literal(true), recoveryCodes: Type.Union([Type.Array(Type.String()), Type.Null()]) });
export const DisableResponse = Type.Object({ disabled: Type.Literal(true), passwordChanged: Type.Boolean() });

export const SecurityResponse = Type.Object({
  user: Type.Object({ id: Type.String(), email: Type.String(), role: Type.String() }),
  twoFactorEnabled: Type.Boolean(),
  methods: Type.Array(MethodBody),
  recoveryCodes: Type.Object({ unused: Type.Integer(), total: Type.Integer(), fewLeft: Type.Boolean() }),
  recommendReset: Type.Boolean(),
  twoFactorDeadline: Type.Optional(Type.String({ format: "date-time", description: "P1: 2FA is mandatory for this user from then, and they have no method yet" })),
  policy: Type.Object({
    allowedMethods: Type.Array(Type.String()),
    recoveryCodePolicy: Type.String(),
    rotatePasswordOnDisable: Type.Boolean(),
    rememberBrowserDays: Type.Integer({ description: "L7: how long \"Don't ask again on this browser\" lasts; 0 when it is not offered" }),
  }),
});
export const EventsResponse = Type.Object({
  events: Type.Array(
    Type.Object({
      type: Type.String(),
      createdAt: Type.String({ format: "date-time" }),
      clientAddress: Type.Union([Type.String(), Type.Null()]),
      userAgent: Type.Union([Type.String(), Type.Null()]),
      detail: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
    }),
  ),
});

/**
 * Standard error responses for a route, by status: a `$ref` to the one shared
 * ErrorBody, so the OpenAPI document lists it once under components.schemas.
 */
export function errors(...statuses: number[]): Record<number, typeof errorBodyRef> {
  return Object.fromEntries(statuses.map((status) => [status, errorBodyRef]));
}

export const EnrolFlowBody = closed({ flowId });
export const EnrolSmsBody = closed({ flowId, phoneNumber });
export const EnrolCodeBody = closed({ flowId, code });
export const EnrolKeyBody = closed({ flowId, name: Type.String({ maxLength: 256 }), credential: webauthnCredential });
export const RequiredConfirmResponse = Type.Object({
  status: Type.Literal("authenticated"),
  enabled: Type.Literal(true),
  recoveryCodes: Type.Union([Type.Array(Type.String()), Type.Null()]),
  sessionToken: Type.String(),
  browserToken: newBrowserToken,
});
