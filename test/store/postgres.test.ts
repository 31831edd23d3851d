/**
 * The Store conformance suite on PostgreSQL: a fresh schema on the server in
 * TWOSTEP_TEST_POSTGRES_URL (scripts/test.sh starts a throwaway cluster). The
 * races in the suite (Promise.all) run over separate pool connections, so they
 * meet in the server under READ COMMITTED. Without a server this fails; it is
 * never skipped.
 */
import { KyselyStore } from "../../src/store/kysely-store.js";
import { openTestDatabase } from "../helpers/database.js";
import { runStoreConformance } from "./conformance.js";

runStoreConformance("PostgreSQL", async () => {
  const database = await openTestDatabase("postgres");
  return { store: new KyselyStore(database.db), close: () => database.close() };
});
