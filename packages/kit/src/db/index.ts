export type { Database, Queryable } from "./database.js";
export { createDatabase, type CreateDatabaseOptions } from "./create-database.js";
export { createPostgresDatabase } from "./postgres-database.js";
export { createPgliteDatabase } from "./pglite-database.js";
export { loadMigrations, runMigrations, type Migration } from "./migrations.js";
