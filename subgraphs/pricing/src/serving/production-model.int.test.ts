import {
  connectRedis,
  createPgliteDatabase,
  createRedis,
  runMigrations,
  type Database,
  type Logger,
  type Redis,
} from "@pokewatch/kit";
import { capturingLogger, silentLogger, TEST_REDIS_URL, uniqueName } from "@pokewatch/kit/testing";
import {
  announceProductionModel,
  createModelRegistry,
  FEATURE_COUNT,
  FEATURE_NAMES,
  modelMigrations,
  type ModelRegistry,
  type ModelStage,
  type ModelVersion,
} from "@pokewatch/model";
import { fixedRatioModelVersion } from "@pokewatch/model/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createPricingMetrics, type PricingMetrics } from "../metrics/pricing-metrics.js";
import { createProductionModel, type ProductionModel } from "./production-model.js";
import type { ServingModel } from "./serving-model.js";

/** Every prediction of the model registered with `ratio` is `ratio`: a value says which model answered. */
const V1_RATIO = 0.1;
const V2_RATIO = 0.2;
const ROWS = 4;
const features = new Float32Array(ROWS * FEATURE_COUNT);
const eventually = { timeout: 10_000, interval: 10 };
const nextMacrotask = () => new Promise((resolve) => setImmediate(resolve));

/** The one value a model answers for every row, or NaN when the rows disagree. */
async function answer(model: ServingModel): Promise<number> {
  const values = await model.predict(features, ROWS);
  return new Set(values).size === 1 ? values[0]! : Number.NaN;
}

const swaps = async (metrics: PricingMetrics, outcome: "swapped" | "failed") =>
  (await metrics.modelSwaps.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;

describe("production model", () => {
  let db: Database;
  let registry: ModelRegistry;
  /** Registry reads of the production version, by any caller. */
  let productionReads: number;
  let metrics: PricingMetrics;
  const opened: ProductionModel[] = [];
  const redisClients: Redis[] = [];

  const register = (ratio: number, stage: ModelStage = "STAGING") =>
    registry.register(fixedRatioModelVersion(ratio), { stage });

  const open = async (
    options: { redis?: Redis; pollMs?: number; logger?: Logger; maxWaitMs?: number } = {},
  ): Promise<ProductionModel> => {
    const production = await createProductionModel({
      registry,
      metrics,
      logger: options.logger ?? silentLogger(),
      batcher: { maxWaitMs: options.maxWaitMs ?? 1, maxBatchRows: 64 },
      redis: options.redis,
      pollMs: options.pollMs ?? 0,
    });
    opened.push(production);
    return production;
  };

  const openRedis = async () => {
    const redis = createRedis({ url: TEST_REDIS_URL, logger: silentLogger(), keyPrefix: `${uniqueName("serving")}:` });
    redisClients.push(redis);
    expect(await connectRedis(redis)).toBe(true);
    return redis;
  };

  /** Ids of the Redis connections in subscriber mode. */
  const subscriberIds = async (redis: Redis) =>
    ((await redis.call("CLIENT", "LIST", "TYPE", "pubsub")) as string)
      .split("\n")
      .map((line) => /\bid=(\d+)/.exec(line)?.[1])
      .filter((id): id is string => id !== undefined);

  beforeAll(async () => {
    db = await createPgliteDatabase();
    await runMigrations(db, "model", modelMigrations());
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db.exec("TRUNCATE model_versions, model_artifacts");
    const real = createModelRegistry({ db });
    productionReads = 0;
    registry = {
      ...real,
      production: () => {
        productionReads++;
        return real.production();
      },
    };
    metrics = createPricingMetrics();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((production) => production.close()));
    for (const redis of redisClients.splice(0)) redis.disconnect();
  });

  it("starts on an empty registry with no model, then serves the one promoted", async () => {
    const production = await open();
    expect(production.acquire()).toBeNull();
    expect(production.currentVersionId).toBeNull();

    const v1 = await register(V1_RATIO, "PRODUCTION");
    await production.refresh();
    expect(production.currentVersionId).toBe(v1.id);
    const lease = production.acquire()!;
    expect(lease.model.version).toEqual(v1);
    expect(await answer(lease.model)).toBeCloseTo(V1_RATIO, 6);
    lease.release();
    expect(await swaps(metrics, "swapped")).toBe(1);
  });

  it("loads the production model before resolving", async () => {
    const v1 = await register(V1_RATIO, "PRODUCTION");
    const production = await open();
    expect(production.currentVersionId).toBe(v1.id);
    const lease = production.acquire()!;
    expect(await answer(lease.model)).toBeCloseTo(V1_RATIO, 6);
    lease.release();
  });

  it("swaps when a promotion is announced on Redis", async () => {
    const redis = await openRedis();
    const v1 = await register(V1_RATIO, "PRODUCTION");
    const production = await open({ redis, pollMs: 0 });
    // Subscribed, and the refresh that follows each subscription has read the registry.
    await vi.waitFor(() => expect(productionReads).toBeGreaterThanOrEqual(2), eventually);
    await production.refresh();

    const v2 = await register(V2_RATIO);
    await registry.promote(v2.id);
    expect(production.currentVersionId).toBe(v1.id);
    await announceProductionModel(redis, v2.id);
    await vi.waitFor(() => expect(production.currentVersionId).toBe(v2.id), eventually);
    const lease = production.acquire()!;
    expect(await answer(lease.model)).toBeCloseTo(V2_RATIO, 6);
    lease.release();
  });

  it("subscribes again after its Redis connection is cut, and hears the next announcement", async () => {
    const redis = await openRedis();
    await register(V1_RATIO, "PRODUCTION");
    const before = new Set(await subscriberIds(redis));
    const production = await open({ redis, pollMs: 0 });
    await vi.waitFor(() => expect(productionReads).toBeGreaterThanOrEqual(2), eventually);
    const [ours] = (await subscriberIds(redis)).filter((id) => !before.has(id));
    expect(ours).toBeDefined();

    await redis.call("CLIENT", "KILL", "ID", ours!);
    // Reconnected: a new subscriber connection, and the refresh that follows it.
    await vi.waitFor(async () => {
      expect((await subscriberIds(redis)).filter((id) => !before.has(id) && id !== ours)).toHaveLength(1);
      expect(productionReads).toBeGreaterThanOrEqual(3);
    }, eventually);
    await production.refresh();

    const v2 = await register(V2_RATIO);
    await registry.promote(v2.id);
    await announceProductionModel(redis, v2.id);
    await vi.waitFor(() => expect(production.currentVersionId).toBe(v2.id), eventually);
  });

  it("finds a promotion by polling the registry when there is no Redis", async () => {
    const v1 = await register(V1_RATIO, "PRODUCTION");
    const production = await open({ pollMs: 20 });
    expect(production.currentVersionId).toBe(v1.id);
    const v2 = await register(V2_RATIO);
    await registry.promote(v2.id);
    await vi.waitFor(() => expect(production.currentVersionId).toBe(v2.id), eventually);
  });

  it("never fails or mixes versions within a lease while it swaps under concurrent requests", async () => {
    const v1 = await register(V1_RATIO, "PRODUCTION");
    const production = await open({ maxWaitMs: 0 });
    const v2 = await register(V2_RATIO);
    const ratioOf = new Map([
      [v1.id, Math.fround(V1_RATIO)],
      [v2.id, Math.fround(V2_RATIO)],
    ]);
    const leases: { versionId: string; answers: number[] }[] = [];
    let swapped = false;

    /** One request: pins the model, predicts a few times across macrotasks, lets go. */
    const request = async () => {
      const lease = production.acquire()!;
      const seen = { versionId: lease.model.version.id, answers: [] as number[] };
      try {
        for (let i = 0; i < 3; i++) {
          const values = await lease.model.predict(features, ROWS);
          seen.answers.push(...values);
          await nextMacrotask();
        }
      } finally {
        lease.release();
      }
      leases.push(seen);
      return seen.versionId;
    };
    const client = async () => {
      // Keep going until this client has finished a request on the new model.
      for (let round = 0; round < 500; round++) if ((await request()) === v2.id && swapped) return;
      throw new Error("never reached the new model");
    };

    const clients = Array.from({ length: 40 }, client);
    await vi.waitFor(() => expect(leases.length).toBeGreaterThanOrEqual(40), eventually);
    await registry.promote(v2.id);
    // Concurrent refreshes share one load.
    await Promise.all([production.refresh(), production.refresh(), production.refresh()]);
    swapped = true;
    await Promise.all(clients);

    expect(await swaps(metrics, "swapped")).toBe(2);
    expect(await swaps(metrics, "failed")).toBe(0);
    for (const { versionId, answers } of leases) {
      expect(answers).toHaveLength(3 * ROWS);
      expect(new Set(answers)).toEqual(new Set([ratioOf.get(versionId)]));
    }
    const versions = new Set(leases.map((lease) => lease.versionId));
    expect(versions).toEqual(new Set([v1.id, v2.id]));
  });

  it("closes a swapped-out session only once every lease taken on it is released", async () => {
    const v1 = await register(V1_RATIO, "PRODUCTION");
    const production = await open();
    const first = production.acquire()!;
    const second = production.acquire()!;

    const v2 = await register(V2_RATIO);
    await registry.promote(v2.id);
    await production.refresh();
    expect(production.currentVersionId).toBe(v2.id);
    const fresh = production.acquire()!;
    expect(fresh.model.version.id).toBe(v2.id);

    // The requests that pinned v1 keep using it after the swap.
    expect(first.model.version.id).toBe(v1.id);
    expect(await answer(first.model)).toBeCloseTo(V1_RATIO, 6);
    first.release();
    first.release();
    expect(await answer(second.model)).toBeCloseTo(V1_RATIO, 6);

    second.release();
    await expect(second.model.predict(features, ROWS)).rejects.toThrow(/closed/);
    expect(await answer(fresh.model)).toBeCloseTo(V2_RATIO, 6);
    fresh.release();
  });

  it("keeps the current model when the new one's stored bytes are corrupted, and loads it once they are repaired", async () => {
    const { logger, lines } = capturingLogger();
    const v1 = await register(V1_RATIO, "PRODUCTION");
    const production = await open({ logger });
    const candidate = fixedRatioModelVersion(V2_RATIO);
    const v2 = await registry.register(candidate);
    // One byte flipped in the database: the hash check refuses the artifact, so it is never served.
    await db.query(
      "UPDATE model_artifacts SET bytes = set_byte(bytes, 0, (get_byte(bytes, 0) + 1) % 256) WHERE sha256 = $1",
      [v2.artifactSha256],
    );
    await registry.promote(v2.id);

    await production.refresh();
    expect(production.currentVersionId).toBe(v1.id);
    const lease = production.acquire()!;
    expect(await answer(lease.model)).toBeCloseTo(V1_RATIO, 6);
    lease.release();
    expect(await swaps(metrics, "failed")).toBe(1);
    const failure = lines().find((line) => line.includes("could not load the production model"));
    expect(JSON.parse(failure!)).toMatchObject({
      level: 50,
      model: { id: v2.id, version: 2 },
      serving: { id: v1.id, version: 1 },
    });
    expect(failure).toMatch(/ARTIFACT_CORRUPTED|corrupted/);

    await db.query("UPDATE model_artifacts SET bytes = $2 WHERE sha256 = $1", [
      v2.artifactSha256,
      Buffer.from(candidate.artifact),
    ]);
    await production.refresh();
    expect(production.currentVersionId).toBe(v2.id);
  });

  it("refuses a model trained on other features than the service computes", async () => {
    const { logger, lines } = capturingLogger();
    const v1 = await register(V1_RATIO, "PRODUCTION");
    const production = await open({ logger });
    const reordered = [...FEATURE_NAMES.slice(1), FEATURE_NAMES[0]];
    const other = await registry.register({ ...fixedRatioModelVersion(V2_RATIO), features: reordered });
    await registry.promote(other.id);

    await production.refresh();
    expect(production.currentVersionId).toBe(v1.id);
    expect(await swaps(metrics, "failed")).toBe(1);
    const failure = JSON.parse(lines().find((line) => line.includes("could not load the production model"))!) as {
      err: { message: string };
    };
    expect(failure.err.message).toContain(
      `model ${other.id} (v2) was trained on other features than this service computes`,
    );
    expect(failure.err.message).toContain(
      `column 0 is "${FEATURE_NAMES[1]}" in the model but "${FEATURE_NAMES[0]}" here`,
    );
  });

  it("serves nothing once the registry has no production model", async () => {
    const v1: ModelVersion = await register(V1_RATIO, "PRODUCTION");
    const production = await open();
    const lease = production.acquire()!;
    await registry.archive(v1.id);
    await production.refresh();
    expect(production.acquire()).toBeNull();
    expect(await answer(lease.model)).toBeCloseTo(V1_RATIO, 6);
    lease.release();
  });

  it("on close, stops handing out models and resolves once the last lease is released", async () => {
    await register(V1_RATIO, "PRODUCTION");
    const production = await createProductionModel({
      registry,
      metrics,
      logger: silentLogger(),
      batcher: { maxWaitMs: 1, maxBatchRows: 64 },
      pollMs: 20,
    });
    const lease = production.acquire()!;
    let closed = false;
    const closing = production.close().then(() => (closed = true));
    expect(production.acquire()).toBeNull();
    expect(production.currentVersionId).toBeNull();
    await nextMacrotask();
    expect(closed).toBe(false);
    expect(await answer(lease.model)).toBeCloseTo(V1_RATIO, 6);

    lease.release();
    await closing;
    await expect(lease.model.predict(features, ROWS)).rejects.toThrow(/closed/);
    const reads = productionReads;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(productionReads).toBe(reads);
  });

  it("refuses bad options", async () => {
    const options = { registry, metrics, logger: silentLogger(), batcher: { maxBatchRows: 64 } };
    await expect(createProductionModel({ ...options, pollMs: -1 })).rejects.toThrow(
      "pollMs must be a whole number of milliseconds ≥ 0 (0 = never poll), got -1",
    );
    await expect(
      createProductionModel({ ...options, pollMs: 0, batcher: { maxWaitMs: 5, maxBatchRows: 64 } }),
    ).rejects.toThrow("maxWaitMs must be a number of milliseconds from 0 to 2");
  });
});
