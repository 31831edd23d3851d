/** A2: 2FA reset requests filed by an account admin, reviewed by platform support. */
export type ResetRequestStatus = "pending" | "approved" | "rejected";

export interface ResetRequest {
  id: string;
  accountId: string;
  subjectUserId: string;
  filedByUserId: string;
  reason: string;
  status: ResetRequestStatus;
  reviewedByUserId: string | null;
  reviewReason: string | null;
  createdAt: number;
  reviewedAt: number | null;
}

export interface ResetRequestPage {
  limit: number;
  after?: string;
  emailPrefix?: string;
}

export interface ResetRequestStore {
  /** Files a pending request; false when the user already has a pending one (a unique index decides, even under a race). */
  insertResetRequest(request: { id: string; accountId: string; subjectUserId: string; filedByUserId: string; reason: string; createdAt: number }): Promise<boolean>;

  findResetRequest(id: string): Promise<ResetRequest | undefined>;

  /**
   * Pending requests, oldest first; `after` is the id of the last one of the previous page;
   * `emailPrefix` (lower-case) keeps the requests of users whose email starts with it.
   */
  listPendingResetRequests(options: ResetRequestPage): Promise<ResetRequest[]>;

  /** Every request, newest first (settled ones included); `after` and `emailPrefix` as above. */
  listRecentResetRequests(options: ResetRequestPage): Promise<ResetRequest[]>;

  /** Approved and rejected requests, the latest decision first: what support decided lately. */
  listDecidedResetRequests(options: { limit: number }): Promise<ResetRequest[]>;

  /**
   * Approves or rejects a pending request as ONE conditional write: the row
   * as settled for exactly one caller, undefined for anyone else (already settled, or no such id).
   */
  settleResetRequest(id: string, decision: { status: "approved" | "rejected"; reviewedByUserId: string; reviewReason: string | null; reviewedAt: number }): Promise<ResetRequest | undefined>;
}
