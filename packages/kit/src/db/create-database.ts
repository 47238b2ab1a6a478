import { join } from "node:path";
import type { Database, DatabaseTimeouts } from "./database.js";
import { createPgliteDatabase } from "./pglite-database.js";
import { createPostgresDatabase } from "./postgres-database.js";

export interface CreateDatabaseOptions {
  /** DATABASE_URL; when absent the embedded PGlite database under `dataDir` is used. */
  url?: string | undefined;
  /** DATA_DIR; PGlite keeps its files in `<dataDir>/pglite`. */
  dataDir: string;
  /** The DATABASE_*_TIMEOUT_MS bounds (`databaseTimeoutsOf(env)`). @default DEFAULT_DATABASE_TIMEOUTS */
  timeouts?: Partial<DatabaseTimeouts>;
}

export function createDatabase({ url, dataDir, timeouts }: CreateDatabaseOptions): Promise<Database> {
  return url
    ? Promise.resolve(createPostgresDatabase({ url, ...(timeouts && { timeouts }) }))
    : createPgliteDatabase({ dataDir: join(dataDir, "pglite"), ...(timeouts && { timeouts }) });
}
