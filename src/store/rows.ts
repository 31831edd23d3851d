import type { Account, AccountKind, LoginFlow, LoginFlowState, Method, MethodType, Role, SecurityEvent, Session, SmsCode, ProofPurpose, User } from "../domain/model.js";
import type { Selectable } from "kysely";
import type { Database } from "./schema.js";

/**
 * Row ↔ record mapping. Flags are 0/1 integers on both databases, turned into
 * booleans here. Numbers go through Number(): the PostgreSQL pool already reads
 * bigint as a number (postgres.ts), and this keeps a text value from ever
 * reaching the domain.
 */
const num = (value: number | string) => Number(value);
const numOrNull = (value: number | string | null) => (value === null ? null : Number(value));

export function toAccount(row: Database["accounts"]): Account {
  return { id: row.id, kind: row.kind as AccountKind, name: row.name, parentId: row.parent_id, createdAt: num(row.created_at) };
}

/** The columns a User is made of (the directory columns of 0014 are the store's own). */
export type UserRow = Omit<Database["users"], "active_methods" | "search_name">;

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    accountId: row.account_id,
    email: row.email,
    displayName: row.display_name,
    role: row.role as Role,
    passwordHash: row.password_hash,
    active: Boolean(row.active),
    createdAt: num(row.created_at),
  };
}

export function toMethod(row: Database["methods"]): Method {
  return {
    id: row.id,
    userId: row.user_id,
    type: row.type as MethodType,
    name: row.name,
    status: row.status as Method["status"],
    isDefault: Boolean(row.is_default),
    secretCiphertext: row.secret_ciphertext,
    lastUsedStep: numOrNull(row.last_used_step),
    replacesMethodId: row.replaces_method_id,
    createdAt: num(row.created_at),
    confirmedAt: numOrNull(row.confirmed_at),
    lastUsedAt: numOrNull(row.last_used_at),
    pendingExpiresAt: numOrNull(row.pending_expires_at),
    displayHint: row.display_hint,
    ...(row.credential_id === null || row.credential_id === undefined ? {} : { credentialId: row.credential_id }),
  };
}

export function fromMethod(method: Method): Database["methods"] {
  return {
    id: method.id,
    user_id: method.userId,
    type: method.type,
    name: method.name,
    status: method.status,
    is_default: method.isDefault ? 1 : 0,
    secret_ciphertext: method.secretCiphertext,
    last_used_step: method.lastUsedStep,
    replaces_method_id: method.replacesMethodId,
    created_at: method.createdAt,
    confirmed_at: method.confirmedAt,
    last_used_at: method.lastUsedAt,
    pending_expires_at: method.pendingExpiresAt,
    display_hint: method.displayHint,
    credential_id: method.credentialId ?? null,
  };
}

export function toSession(row: Database["sessions"]): Session {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: num(row.created_at),
    expiresAt: num(row.expires_at),
    authenticatedAt: num(row.authenticated_at),
    recoveryCodeUsed: Boolean(row.recovery_code_used),
    lastActiveAt: num(row.last_active_at ?? row.created_at),
  };
}

export function toLoginFlow(row: Database["login_flows"]): LoginFlow {
  return {
    id: row.id,
    userId: row.user_id,
    state: row.state as LoginFlowState,
    methodId: row.method_id,
    createdAt: num(row.created_at),
    expiresAt: num(row.expires_at),
  };
}

export function toEvent(row: Selectable<Database["events"]>): SecurityEvent {
  return {
    id: row.id,
    accountId: row.account_id,
    actorUserId: row.actor_user_id,
    subjectUserId: row.subject_user_id,
    type: row.type as SecurityEvent["type"],
    detail: JSON.parse(row.detail) as SecurityEvent["detail"],
    clientAddress: row.client_address,
    userAgent: row.user_agent,
    createdAt: num(row.created_at),
  };
}

export function toSmsCode(row: Database["sms_codes"]): SmsCode {
  return {
    id: row.id,
    userId: row.user_id,
    methodId: row.method_id,
    purpose: row.purpose as ProofPurpose,
    bindingId: row.binding_id,
    codeHash: row.code_hash,
    createdAt: num(row.created_at),
    expiresAt: num(row.expires_at),
    usedAt: numOrNull(row.used_at),
  };
}
