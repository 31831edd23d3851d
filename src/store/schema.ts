import type { Generated } from "kysely";
/**
 * Table types for Kysely. Column types are chosen so the same SQL runs on
 * SQLite and PostgreSQL: text ids, bigint millisecond times, integer 0/1 flags.
 */
export interface Database {
  accounts: { id: string; kind: string; name: string; parent_id: string | null; created_at: number };
  users: {
    id: string;
    account_id: string;
    email: string;
    display_name: string;
    role: string;
    password_hash: string;
    active: number;
    created_at: number;
    /** Kept by triggers on methods (migration 0014): how many active 2FA methods. */
    active_methods: Generated<number>;
    /** The display name lower-cased by the application, for prefix search. */
    search_name: string;
  };
  /** Kept by triggers (migration 0014): the coverage line of each account. */
  account_user_counts: { account_id: string; total: Generated<number>; with_two_factor: Generated<number> };
  policies: {
    account_id: string;
    audience: string;
    require_two_factor_from: number | null;
    allowed_methods: string | null;
    recovery_code_policy: string | null;
    rotate_password_on_disable: number | null;
    /** Migration 0015 (L7). */
    remember_browser_days: number | null;
    /** Migration 0019 (issue 17): the new sign-in email, null inherits. */
    new_sign_in_email: number | null;
    updated_at: number;
  };
  methods: {
    id: string;
    user_id: string;
    type: string;
    name: string;
    status: string;
    is_default: number;
    secret_ciphertext: string;
    last_used_step: number | null;
    replaces_method_id: string | null;
    created_at: number;
    confirmed_at: number | null;
    last_used_at: number | null;
    pending_expires_at: number | null;
    display_hint: string | null;
    /** Migration 0016: a WebAuthn credential id, unique; null for other types. */
    credential_id: string | null;
  };
  webauthn_challenges: {
    id: string;
    user_id: string;
    purpose: string;
    binding_id: string;
    challenge_hash: string;
    created_at: number;
    expires_at: number;
    used_at: number | null;
  };
  recovery_code_sets: { user_id: string; salt: string; created_at: number };
  recovery_codes: { id: string; user_id: string; code_hash: string; used_at: number | null };
  sessions: {
    id: string;
    token_hash: string;
    user_id: string;
    created_at: number;
    expires_at: number;
    authenticated_at: number;
    recovery_code_used: number;
    client_address: string | null;
    user_agent: string | null;
    revoked_at: number | null;
    /** Migration 0019 (issue 17): written at most once a minute. */
    last_active_at: number | null;
  };
  login_flows: {
    id: string;
    token_hash: string;
    user_id: string;
    state: string;
    method_id: string | null;
    created_at: number;
    expires_at: number;
  };
  attempt_counters: { key: string; failures: number; locked_until: number | null; updated_at: number };
  events: {
    /** Assigned by the database (identity / autoincrement): the order events were written, across instances. */
    seq: Generated<number>;
    id: string;
    account_id: string;
    actor_user_id: string | null;
    subject_user_id: string | null;
    type: string;
    detail: string;
    client_address: string | null;
    user_agent: string | null;
    created_at: number;
  };
  /** Later issues: SMS codes, API keys, password resets, support-reviewed reset requests, outbox. */
  sms_codes: {
    id: string;
    user_id: string;
    method_id: string;
    purpose: string;
    binding_id: string;
    code_hash: string;
    created_at: number;
    expires_at: number;
    used_at: number | null;
  };
  api_keys: {
    id: string;
    user_id: string;
    name: string;
    key_hash: string;
    created_at: number;
    last_used_at: number | null;
    revoked_at: number | null;
    /** 0010: shown in lists instead of the key. */
    display_prefix: string;
    last4: string;
    expires_at: number | null;
    revoked_by_user_id: string | null;
  };
  password_resets: { id: string; user_id: string; token_hash: string; purpose: string; created_at: number; expires_at: number; used_at: number | null };
  reset_requests: {
    id: string;
    account_id: string;
    subject_user_id: string;
    filed_by_user_id: string;
    reason: string;
    status: string;
    reviewed_by_user_id: string | null;
    review_reason: string | null;
    created_at: number;
    reviewed_at: number | null;
  };
  rate_windows: { key: string; window_start: number; count: number };
  /** P1: one row per reminder sent (the claim; migration 0005). */
  two_factor_reminders: { user_id: string; deadline: number; days_before: number; claimed_at: number };
  /** Issue 7: browsers that completed a login (hash of the cookie token; migration 0006). */
  known_browsers: { token_hash: string; user_id: string; created_at: number; expires_at: number };
  /** L7 (migration 0015): browsers that skip the second step for their user until `expires_at`. */
  trusted_browsers: { token_hash: string; user_id: string; label: string; created_at: number; expires_at: number };
  /** The transactional outbox (migration 0004): messages to send after the change they report committed. */
  outgoing_messages: {
    id: string;
    channel: string;
    recipient: string;
    kind: string;
    subject: string;
    text_body: string;
    html_body: string;
    status: string;
    attempts: number;
    next_attempt_at: number;
    claimed_until: number | null;
    claimed_by: string | null;
    last_error: string | null;
    provider_message_id: string | null;
    created_at: number;
    sent_at: number | null;
    /** Migration 0020: a back-channel logout's JSON (client id, sub, sid); null for an email. */
    payload: string | null;
  };
  outbox_messages: { id: string; channel: string; recipient: string; subject: string | null; body: string; created_at: number };
  /** Migration 0018 (issue 15): the OpenID Connect provider's models, apps, signing keys, how a session was made. */
  oidc_payloads: {
    model: string;
    id_hash: string;
    payload: string;
    grant_id: string | null;
    uid: string | null;
    user_code: string | null;
    account_id: string | null;
    expires_at: number | null;
    consumed_at: number | null;
  };
  oidc_clients: {
    id: string;
    name: string;
    secret_hash: string | null;
    redirect_uris: string;
    post_logout_redirect_uris: string;
    backchannel_logout_uri: string | null;
    forward_auth_origins: string;
    require_two_factor: number;
    remember_browser: number;
    created_at: number;
    secret_rotated_at: number | null;
  };
  oidc_signing_keys: { id: string; private_jwk_ciphertext: string; created_at: number; retired_at: number | null };
  session_logins: { session_id: string; factor: string; created_at: number };
  /** Migration 0020: the twostep session a provider session's apps signed in through. */
  provider_session_links: { provider_session_uid: string; session_id: string; linked_at: number };
}
