import { Migrator, PostgresAdapter, sql, type Kysely, type Migration, type MigrationProvider } from "kysely";
import * as initial from "./migrations/0001-initial.js";
import * as smsAndMethods from "./migrations/0002-sms-and-methods.js";
import * as eventSequence from "./migrations/0003-event-sequence.js";
import * as emailOutbox from "./migrations/0004-email-outbox.js";
import * as twoFactorReminders from "./migrations/0005-two-factor-reminders.js";
import * as rememberedBrowsers from "./migrations/0006-remembered-browsers.js"; // the table is `known_browsers` since 0017
import * as passwordResetUserIndex from "./migrations/0007-password-reset-user-index.js";
import * as userDirectoryIndexes from "./migrations/0008-user-directory-indexes.js";
import * as resetRequestQueue from "./migrations/0009-reset-request-queue.js";
import * as apiKeys from "./migrations/0010-api-keys.js";
import * as eventLogSearch from "./migrations/0011-event-log-search.js";
import * as customerAccountsIndex from "./migrations/0012-customer-accounts-index.js";
import * as passwordLinkPurpose from "./migrations/0013-password-link-purpose.js";
import * as userDirectoryCounts from "./migrations/0014-user-directory-counts.js";
import * as trustedBrowsers from "./migrations/0015-trusted-browsers.js";
import * as webauthn from "./migrations/0016-webauthn.js";
import * as knownBrowsers from "./migrations/0017-known-browsers.js";
import * as oidcProvider from "./migrations/0018-oidc-provider.js";
import * as sessionsPage from "./migrations/0019-sessions-page.js";
import * as backchannelLogout from "./migrations/0020-backchannel-logout.js";

/** Migrations are imported, not read from disk, so the compiled build and tests see the same list. */
const migrations: Record<string, Migration> = {
  "0001-initial": initial,
  "0002-sms-and-methods": smsAndMethods,
  "0003-event-sequence": eventSequence,
  "0004-email-outbox": emailOutbox,
  "0005-two-factor-reminders": twoFactorReminders,
  "0006-remembered-browsers": rememberedBrowsers,
  "0007-password-reset-user-index": passwordResetUserIndex,
  "0008-user-directory-indexes": userDirectoryIndexes,
  "0009-reset-request-queue": resetRequestQueue,
  "0010-api-keys": apiKeys,
  "0011-event-log-search": eventLogSearch,
  "0012-customer-accounts-index": customerAccountsIndex,
  "0013-password-link-purpose": passwordLinkPurpose,
  "0014-user-directory-counts": userDirectoryCounts,
  "0015-trusted-browsers": trustedBrowsers,
  "0016-webauthn": webauthn,
  "0017-known-browsers": knownBrowsers,
  "0018-oidc-provider": oidcProvider,
  "0019-sessions-page": sessionsPage,
  "0020-backchannel-logout": backchannelLogout,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** The migrations' names in order (the test set-up names its migrated template database after them). */
export const migrationNames: readonly string[] = Object.keys(migrations);

/** Applies every migration not yet applied; returns their names. Throws if one fails (nothing half-applied per migration). */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider, ...(await migrationTableSchema(db)) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((result) => result.status === "Success").map((result) => result.migrationName);
}

/** Applies the migrations up to and including `lastMigration` (the tests of an upgrade start from an earlier schema). */
export async function migrateTo(db: Kysely<any>, lastMigration: string): Promise<void> {
  if (!(lastMigration in migrations)) throw new Error(`no migration named ${lastMigration}`);
  const migrator = new Migrator({ db, provider, ...(await migrationTableSchema(db)) });
  const { error } = await migrator.migrateTo(lastMigration);
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

/**
 * On PostgreSQL, Kysely looks for its migration tables in every schema of the
 * database unless told which one: a second schema holding them (another app,
 * another twostep) would make it skip creating ours and fail. They belong in
 * the schema our tables go to, the first on the search_path.
 */
async function migrationTableSchema(db: Kysely<any>): Promise<{ migrationTableSchema?: string }> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return {};
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error("PostgreSQL has no current schema: the search_path names no schema that exists");
  return { migrationTableSchema: schema };
}
