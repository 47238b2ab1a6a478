import { loadMigrations } from "@pokewatch/kit";

/** The price store's tables; apply with `runMigrations(db, "market", marketMigrations())` before using it. */
export const marketMigrations = () => loadMigrations(new URL("../../migrations/", import.meta.url));
