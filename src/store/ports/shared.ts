export interface ClientInfo {
  clientAddress: string | null;
  userAgent: string | null;
}

export interface LockSchedule {
  /** Rows sorted by failures; the last row's lock applies to every higher count. */
  rows: { failures: number; lockSeconds: number }[];
}

export type AttemptCount =
  | { allowed: true; failures: number; lockedUntil: number | null }
  | { allowed: false; lockedUntil: number };
