/**
 * WebAuthn signature counters (W3C WebAuthn §6.1.1, step 21 of "verifying an
 * authentication assertion"). An authenticator that keeps a counter raises it
 * with every signature; a signature whose counter is not above the stored one
 * came from a copy of the key (or is a replay), so it is refused. An
 * authenticator that keeps none (most synced passkeys) always sends 0.
 */
export type CounterVerdict = "advanced" | "no_counter" | "cloned";

export function judgeSignatureCounter(stored: number | null, received: number): CounterVerdict {
  const previous = stored ?? 0;
  if (received === 0 && previous === 0) return "no_counter";
  return received > previous ? "advanced" : "cloned";
}
