import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPgliteDatabase, runMigrations, type Database, type FastifyInstance } from "@pokewatch/kit";
import { signedQuery, silentLogger, TEST_SECRET, testIdentity } from "@pokewatch/kit/testing";
import {
  createCatalog,
  loadBundledCatalog,
  marketMigrations,
  simulatedCatalogData,
  type Catalog,
} from "@pokewatch/market";
import { modelMigrations } from "@pokewatch/model";
import {
  createPipelineApp,
  pipelineMigrations,
  pipelineServiceOf,
  type CreatePipelineAppOptions,
} from "./pipeline-app.js";
import type { PipelineService } from "./pipeline/pipeline-service.js";

let smallCatalog: Catalog | undefined;
/** 30 cards of the bundled catalog: enough to train on in a second or two. */
export function testCatalog(): Catalog {
  return (smallCatalog ??= createCatalog(simulatedCatalogData(30, loadBundledCatalog())));
}

/**
 * Keys as the gateway signs them. The gateway counted the field limits (`triggerPipelineRun`) of
 * these, so the subgraph does not count them again; `uncounted` is a call it did not count.
 */
export const callers = {
  reader: testIdentity({ keyId: "key_reader", scopes: ["pipeline:read"], fieldLimitsCounted: true }),
  operator: testIdentity({
    keyId: "key_operator",
    scopes: ["pipeline:read", "pipeline:write"],
    fieldLimitsCounted: true,
  }),
  pricesOnly: testIdentity({ keyId: "key_prices", scopes: ["prices:read"], fieldLimitsCounted: true }),
  uncounted: testIdentity({ keyId: "key_uncounted", scopes: ["pipeline:read", "pipeline:write"] }),
};

export interface PipelineTestApp {
  app: FastifyInstance;
  db: Database;
  dataDir: string;
  /** The app's store, registry and runner: `service.runner.idle()` waits for a triggered run. */
  service: PipelineService;
  /** A signed GraphQL call, as the operator (pipeline:read and pipeline:write) unless told. */
  query<TData = Record<string, unknown>>(
    query: string,
    options?: Parameters<typeof signedQuery>[2],
  ): ReturnType<typeof signedQuery<TData>>;
  close(): Promise<void>;
}

/** Runs the migrations the pipeline service needs, in the order its main runs them. */
export async function migrateForPipeline(db: Database): Promise<Database> {
  // The model registry's first migration takes over tables an early pipeline version made: first.
  await runMigrations(db, "model", modelMigrations());
  await runMigrations(db, "market", marketMigrations());
  await runMigrations(db, "pipeline", pipelineMigrations());
  return db;
}

/** An in-memory PGlite with the model, market and pipeline migrations. */
export async function openTestDatabase(): Promise<Database> {
  return migrateForPipeline(await createPgliteDatabase());
}

export interface OpenPipelineTestAppOptions extends Partial<CreatePipelineAppOptions> {
  /** Runs on the migrated database before the app is built (runs a stopped process left, …). */
  seed?: (db: Database) => Promise<unknown>;
}

/**
 * The pipeline subgraph on `openTestDatabase()` (or the migrated `db` given, left open), a
 * temporary DATA_DIR, the 30-card catalog, short simulations, 5 trees and no cron schedule.
 */
export async function openPipelineTestApp({
  seed,
  pipelineOptions,
  ...options
}: OpenPipelineTestAppOptions = {}): Promise<PipelineTestApp> {
  const ownDb = !options.db;
  const db = options.db ?? (await openTestDatabase());
  await seed?.(db);
  const dataDir = mkdtempSync(join(tmpdir(), "pipeline-app-"));
  const app = await createPipelineApp({
    secret: TEST_SECRET,
    logger: silentLogger(),
    db,
    dataDir,
    scheduler: false,
    ...(!options.service && {
      catalog: testCatalog(),
      pipelineOptions: { simulateDays: 90, trees: 5, ...pipelineOptions },
    }),
    ...options,
  });
  return {
    app,
    db,
    dataDir,
    service: pipelineServiceOf(app)!,
    query: (query, queryOptions = {}) => signedQuery(app, query, { identity: callers.operator, ...queryOptions }),
    async close() {
      await app.close();
      if (ownDb) await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
