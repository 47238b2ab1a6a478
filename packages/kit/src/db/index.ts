export type { Database, DatabaseTimeouts, Queryable } from "./database.js";
export { DEFAULT_DATABASE_TIMEOUTS } from "./database.js";
export { DatabaseBusyError } from "./bounded-turns.js";
export { createDatabase, type CreateDatabaseOptions } from "./create-database.js";
export { createPostgresDatabase } from "./postgres-database.js";
export { createPgliteDatabase } from "./pglite-database.js";
export { loadMigrations, runMigrations, type Migration } from "./migrations.js";
export {
  CURSOR_CREATED_AT_SQL,
  decodeCreatedAtCursor,
  encodeCreatedAtCursor,
  type CreatedAtCursor,
} from "./created-at-cursor.js";
