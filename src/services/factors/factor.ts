import type { ErrorCode, Result } from "../../domain/errors.js";
import type { Method, MethodType, SmsPurpose, User } from "../../domain/model.js";
import type { Stores } from "../../store/store.js";
import type { MethodView } from "./method-view.js";
import type { RequestContext, ServiceDeps } from "../deps.js";

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
  verifyAndConsume(deps: ServiceDeps, store: Stores, method: Method, proof: Proof, binding: ChallengeBinding, context?: RequestContext): Promise<boolean>;
  /**
   * True when the browser itself answers the challenge (WebAuthn): the pages
   * issue a fresh one each time they show the prompt and hand the browser its
   * options; false when the user types a code.
   */
  answeredInBrowser: boolean;
  /**
   * What removing a method asks for (M4): a current proof of that very method
   * (a code of the app or of a text), or a recent second factor of any method
   * (the step-up window), for a key that is removed because it was lost.
   */
  removal: "proof_of_this_method" | "recent_second_factor";
  /** Whether a user may have several methods of it (keys: one per device); else "Add" is offered only while there is none. */
  several: boolean;
  /**
   * Issues a challenge for `binding` (SMS texts a code; a future WebAuthn
   * factor returns its options). Null when the factor needs none (TOTP).
   * `keepRecent`: a challenge issued moments ago for the same binding is kept
   * instead of refused (switching methods back and forth on the second step).
   */
  startChallenge(deps: ServiceDeps, request: ChallengeRequest): Promise<Result<Challenge> | null>;
}

export interface ChallengeBinding {
  purpose: SmsPurpose;
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
