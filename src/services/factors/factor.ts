import type { FactorsDeps, FactorsPorts } from "./deps.js";
import type { ErrorCode, Result } from "../../domain/errors.js";
import type { Method, MethodType, ProofPurpose, User } from "../../domain/model.js";
import type { MethodView } from "./method-view.js";
import type { RequestContext } from "../deps.js";

/**
 * A second factor plugs into the login and settings flows through this
 * interface (Kratos' "strategy", Keycloak's "authenticator"). The flows own
 * throttling, events and sessions; a factor owns its challenge, the shape of
 * its proof, and its words on the pages. Nothing outside a factor's folder
 * asks which type a method is.
 */
export interface Factor<Proof = unknown> {
  type: MethodType;
  words: FactorWords;
  /**
   * The proof as this factor expects it, from whatever the form or JSON body
   * carried (a code string today; an assertion object for WebAuthn). Junk is
   * refused with a failure naming the field, before any counting (SECURITY 5).
   */
  parseProof(input: unknown): Result<{ proof: Proof }>;
  /** The catalogue code for a wrong proof, with hints that fit this factor. */
  wrongProof: ErrorCode;
  /**
   * True when `proof` is right for `method` *and* has now been consumed (replay,
   * SECURITY 4): a second call with the same proof returns false.
   * `binding` ties a challenge (a sent code) to what asked for it: the login
   * flow, the pending method, or the session (SECURITY 24).
   */
  verifyAndConsume(deps: FactorsDeps, store: FactorsPorts, method: Method, proof: Proof, binding: ChallengeBinding, context?: RequestContext): Promise<boolean>;
  /**
   * The form and JSON field this factor's proof travels in, and so the field a
   * wrong or malformed proof is reported on: `code` for a code the user types,
   * `credential` for the browser's answer to a prompt (WebAuthn).
   */
  proofField: ProofField;
  /**
   * How the pages ask for the proof: a code field, or the browser's own prompt,
   * for which the pages issue a fresh challenge each time they show it and hand
   * the browser its options. One prompt answers for all of the user's methods
   * of such a factor (any of their keys may sign it).
   */
  presentation: ProofPresentation;
  /** Bound to the site it signed in to, so a look-alike page cannot relay it (an app's phishing-resistant `acr`, issue 15). */
  phishingResistant: boolean;
  /**
   * What removing a method asks for (M4): a current proof of that very method
   * (a code of the app or of a text), or a recent second factor of any method
   * (the step-up window), for a key that is removed because it was lost.
   */
  removal: "proof_of_this_method" | "recent_second_factor";
  /**
   * Where this method's messages go, for the development outbox (SMS: its number
   * in E.164, pending methods too); null for a factor that sends nothing. Asynchronous: the
   * SMS factor loads its phone-number library at the first number it reads.
   */
  messageRecipient(deps: FactorsDeps, method: Method): Promise<string | null>;
  /** Whether a user may have several methods of it (keys: one per device); else "Add" is offered only while there is none. */
  several: boolean;
  /**
   * Issues a challenge for `binding` (SMS texts a code; WebAuthn returns the
   * browser's options). Null when the factor needs none (TOTP).
   * `keepRecent`: a challenge issued moments ago for the same binding is kept
   * instead of refused (switching methods back and forth on the second step).
   */
  startChallenge(deps: FactorsDeps, request: ChallengeRequest): Promise<Result<Challenge> | null>;
}

/** The form and JSON field a factor's proof travels in (the names the pages and the API already use). */
export type ProofField = "code" | "credential";

/** How the pages ask for a proof: a field the user types a code into, or the browser's own prompt. */
export type ProofPresentation = "code_field" | "browser_prompt";

export interface ChallengeBinding {
  purpose: ProofPurpose;
  bindingId: string;
}

export interface ChallengeRequest {
  user: User;
  method: Method;
  binding: ChallengeBinding;
  context: RequestContext;
  keepRecent?: boolean;
}

/** What a started challenge tells the pages and the API: when it stops working. */
export interface Challenge {
  expiresAt: number;
  /** What the browser needs to answer it (WebAuthn's request options); absent for a sent code. */
  browserOptions?: unknown;
}

/** A sentence with one part kept on one line (a phone number). */
export interface Phrase {
  before: string;
  keepTogether?: string;
  after?: string;
}

/** What the pages and the API say about a factor; read through the registry. */
export interface FactorWords {
  /** Shown in method lists and on the second step. */
  label: string;
  /** The second step's prompt for this method. */
  secondStepPrompt(method: MethodView): Phrase;
  /** How this method is offered as another choice on the second step. */
  switchLabel(method: MethodView): string;
  /** Above the code field when confirming a reset or delete. */
  verifyPrompt(method: MethodView): string;
  /** What a reset replaces, in "Your current … keeps working". */
  deviceNoun: string;
  /** The button that asks for a challenge on the settings pages; null when none is asked for. */
  requestChallengeLabel: string | null;
  /** What the user needs to set it up, in "You will need … or …". */
  whatYouNeed: string;
  /** The button that starts a first setup of it ("Set up an authenticator app"). */
  setupLabel: string;
  /** The button that adds it beside the methods already on ("Add SMS codes"). */
  addLabel: string;
  /** How it is offered as the other choice ("Use SMS codes instead"). */
  offerLabel: string;
}
