import { fail, ok, type Outcome, type Result } from "../errors.js";
import type { LoginFlow, Method } from "../model.js";

/**
 * The pending login between the password step and the second step, as data.
 * See state-diagram.md beside this file. The services store the flow and carry
 * out the effects; these functions only decide.
 */

/** L2: the second step opens on the default method, else the oldest active one. */
export function defaultMethod(methods: Method[]): Method | undefined {
  const active = methods.filter((method) => method.status === "active");
  return active.find((method) => method.isDefault) ?? active.sort((a, b) => a.createdAt - b.createdAt)[0];
}

export function activeMethods(methods: Method[]): Method[] {
  return methods.filter((method) => method.status === "active");
}

/** After a right password: a flow when the user has 2FA, null when a session may be issued at once (L1). */
export function beginSecondStep(input: { id: string; userId: string; methods: Method[]; now: number; ttlSeconds: number }): LoginFlow | null {
  const method = defaultMethod(input.methods);
  if (!method) return null;
  return {
    id: input.id,
    userId: input.userId,
    state: "second_factor",
    methodId: method.id,
    createdAt: input.now,
    expiresAt: input.now + input.ttlSeconds * 1000,
  };
}

/** A flow accepts a code only while it waits for one and has not expired (L4, SECURITY 6). */
export function checkFlowOpen(flow: LoginFlow | undefined, now: number): Outcome {
  if (!flow || flow.state !== "second_factor" || flow.expiresAt <= now) return fail("login_expired");
  return ok;
}

/** L2: the user may switch to any of *their own* active methods; anything else is refused. */
export function chooseMethod(flow: LoginFlow, methods: Method[], methodId: string): Result<{ flow: LoginFlow }> {
  const method = activeMethods(methods).find((candidate) => candidate.id === methodId && candidate.userId === flow.userId);
  if (!method) return fail("invalid_request", { field: "methodId" });
  return { ok: true, flow: { ...flow, methodId: method.id } };
}

/** P1: a login whose only way forward is enrolling a first method (and then seeing the recovery codes). */
export function isEnrolmentFlow(flow: LoginFlow): boolean {
  return flow.state === "enrolment_required" || flow.state === "recovery_codes_shown";
}
