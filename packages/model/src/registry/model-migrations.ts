import { loadMigrations } from "@pokewatch/kit";

/** The registry's tables; apply with `runMigrations(db, "model", modelMigrations())` before using it. */
export const modelMigrations = () => loadMigrations(new URL("../../migrations/", import.meta.url));
