import { join } from "node:path";
import type { Database } from "./database.js";
import { createPgliteDatabase } from "./pglite-database.js";
import { createPostgresDatabase } from "./postgres-database.js";

export interface CreateDatabaseOptions {
  /** DATABASE_URL; when absent the embedded PGlite database under `dataDir` is used. */
  url?: string | undefined;
  /** DATA_DIR; PGlite keeps its files in `<dataDir>/pglite`. */
  dataDir: string;
}

export function createDatabase({ url, dataDir }: CreateDatabaseOptions): Promise<Database> {
  return url
    ? Promise.resolve(createPostgresDatabase({ url }))
    : createPgliteDatabase({ dataDir: join(dataDir, "pglite") });
}
