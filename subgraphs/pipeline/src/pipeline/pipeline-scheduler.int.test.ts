import { loadMigrations, runMigrations } from "@pokewatch/kit";
import { createIsolatedPostgres, silentLogger, type IsolatedPostgres } from "@pokewatch/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPipelineRunner, type PipelineRunner } from "./pipeline-runner.js";
import { handleOccurrence } from "./pipeline-scheduler.js";
import { createRunStore } from "./run-store.js";
import type { StepContext } from "./steps/step.js";

let pg: IsolatedPostgres;
let replicas: PipelineRunner[];

beforeAll(async () => {
  pg = await createIsolatedPostgres();
  await runMigrations(pg.db, "pipeline", loadMigrations(new URL("../migrations/", import.meta.url)));
  // Two replicas: each its own pool, store and runner, as two pipeline services would have.
  replicas = [pg.db, pg.connectAnother()].map((db) =>
    createPipelineRunner({
      store: createRunStore(db),
      // No steps: what is under test is who gets to create the run.
      steps: [],
      ctxFor: (runId) => ({ runId, logger: silentLogger() }) as StepContext,
      clock: () => new Date(),
      logger: silentLogger(),
    }),
  );
});
afterAll(async () => {
  await Promise.all(replicas.map((runner) => runner.idle()));
  await pg?.drop();
});

describe("two schedulers on one PostgreSQL", () => {
  it("start exactly one run per occurrence", async () => {
    const occurrences = ["2026-11-28T03:00:00Z", "2026-11-29T03:00:00Z", "2026-11-30T03:00:00Z"].map(
      (at) => new Date(at),
    );
    for (const occurrence of occurrences) {
      // Each replica's timer fires a little after the occurrence, at its own moment.
      const started = await Promise.all(
        replicas.map((runner, index) =>
          handleOccurrence(runner, new Date(occurrence.getTime() + 150 + index * 700), silentLogger()),
        ),
      );
      expect(started.filter(Boolean)).toHaveLength(1);
      await Promise.all(replicas.map((runner) => runner.idle()));
    }

    const rows = await pg.db.query<{ scheduled_for: Date; status: string }>(
      "SELECT scheduled_for, status FROM pipeline_runs WHERE trigger = 'SCHEDULE' ORDER BY scheduled_for",
    );
    expect(rows).toEqual(occurrences.map((scheduled_for) => ({ scheduled_for, status: "SUCCEEDED" })));
  });

  it("do not run an occurrence again when a replica fires late, after the run ended", async () => {
    const occurrence = new Date("2026-12-01T03:00:00Z");
    const [first, late] = replicas as [PipelineRunner, PipelineRunner];
    expect(await handleOccurrence(first, occurrence, silentLogger())).not.toBeNull();
    await first.idle();

    expect(await handleOccurrence(late, new Date(occurrence.getTime() + 45_000), silentLogger())).toBeNull();
    const [{ count }] = (await pg.db.query<{ count: number }>(
      "SELECT count(*)::int AS count FROM pipeline_runs WHERE scheduled_for = $1",
      [occurrence],
    )) as [{ count: number }];
    expect(count).toBe(1);
  });
});
