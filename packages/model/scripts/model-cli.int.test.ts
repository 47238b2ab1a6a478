import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createIsolatedPostgres, runWorkspaceScript, TEST_DATABASE_URL } from "@pokewatch/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createModelRegistry, sha256Hex, type EvaluationReport } from "../src/index.js";
import { syntheticSeries } from "../src/testing/synthetic-series.js";

/** Runs a model script as `pnpm model:…` would, with the embedded registry in `dataDir`. */
const modelScript = (script: string, args: string[], dataDir: string) =>
  runWorkspaceScript(`packages/model/scripts/${script}`, args, { typedIn: dataDir, env: { DATA_DIR: dataDir } });

/** 120 days from 2025-01-01, the last 7 only as targets. */
const lastFeatureDate = "2025-04-23";

describe("pnpm model:train and model:evaluate", { timeout: 240_000 }, () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "model-cli-"));
    const rows = syntheticSeries(40, 120, 9).flatMap((s) =>
      s.points.map((p) => `${p.cardId},${p.date},${p.market},USD`),
    );
    writeFileSync(
      join(dir, "prices.csv"),
      ["card_id,date,market_price,currency", ...rows, "bad-row,2025-02-30,1,USD"].join("\n"),
    );
    writeFileSync(join(dir, "bad-header.csv"), "card,day,price\nsv1-1,2025-06-01,1\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("evaluates a price file: metrics, both baselines and the split, as JSON", async () => {
    const { code, stdout } = await modelScript("evaluate-model.ts", ["--prices", "prices.csv"], dir);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as EvaluationReport;
    expect(report).toMatchObject({ model: "trained here", holdOut: true, horizonDays: 7, cards: 40, rejectedRows: 1 });
    for (const value of [report.mape, report.rmse, report.mae, report.intervalCoverage])
      expect(value).toBeGreaterThan(0);
    expect(report.baselines.lastPrice.mape).toBeGreaterThan(0);
    expect(report.baselines.rollingMean3.mape).toBeGreaterThan(0);
    expect(report.n).toBe(report.split.testRows);
    expect(report.split.trainTo < report.split.testFrom).toBe(true);
  });

  it("registers a trained model and evaluates it by id", async () => {
    const trained = await modelScript("train-model.ts", ["--prices", "prices.csv", "--promote"], dir);
    expect(trained.code).toBe(0);
    const { id, stage } = JSON.parse(trained.stdout) as { id: string; stage: string };
    expect(id).toMatch(/^mv_/);
    expect(stage).toBe("PRODUCTION");
    // The artifact went into the embedded database, not a file: the evaluate process below, which
    // shares only that database, loads it from there.
    expect(existsSync(join(dir, "models"))).toBe(false);

    expect(JSON.parse(trained.stdout)).toMatchObject({ rejectedRows: 1, trainingSummary: { to: lastFeatureDate } });

    // The registered model was refit on every date, so scoring it on this file is not a hold-out.
    const evaluated = await modelScript("evaluate-model.ts", ["--prices", "prices.csv", "--model", id], dir);
    expect(evaluated.code).toBe(0);
    const report = JSON.parse(evaluated.stdout) as EvaluationReport;
    expect(report).toMatchObject({ model: id, holdOut: false });
    expect(report.n).toBeGreaterThan(0);
    expect(evaluated.stderr).toContain("not a hold-out score");
  });

  it("exits 1 with a clear message for missing arguments, files and models", async () => {
    writeFileSync(join(dir, "short.csv"), "card_id,date,market_price,currency\nsv1-1,2025-06-01,1,USD\n");
    // Side by side: only the unknown model opens the registry in DATA_DIR.
    const [noArgs, missing, unknown, short, header] = await Promise.all([
      modelScript("evaluate-model.ts", [], dir),
      modelScript("evaluate-model.ts", ["--prices", "nope.csv"], dir),
      modelScript("evaluate-model.ts", ["--prices", "prices.csv", "--model", "mv_unknown"], dir),
      modelScript("train-model.ts", ["--prices", "short.csv"], dir),
      modelScript("evaluate-model.ts", ["--", "--prices", "bad-header.csv"], dir),
    ]);
    expect(noArgs.code).toBe(1);
    expect(noArgs.stderr).toContain("--prices is required");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.csv/);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("[MODEL_VERSION_NOT_FOUND]");
    expect(short.code).toBe(1);
    expect(short.stderr).toContain("[NO_PRICES]");
    expect(header.code).toBe(1);
    expect(header.stderr).toContain("[MISSING_COLUMNS]");
  });
});

describe(
  "a model registered by one process, loaded by another that shares only the database",
  { timeout: 240_000 },
  () => {
    it("works on PostgreSQL, each process with its own DATA_DIR and no artifact file anywhere", async () => {
      const pg = await createIsolatedPostgres();
      // Two "containers": each its own folder and DATA_DIR; only the database is shared.
      const trainer = mkdtempSync(join(tmpdir(), "model-cli-trainer-"));
      const server = mkdtempSync(join(tmpdir(), "model-cli-server-"));
      try {
        const url = new URL(TEST_DATABASE_URL);
        url.searchParams.set("options", `-c search_path=${pg.schema}`);
        const inContainer = (script: string, args: string[], dataDir: string) =>
          runWorkspaceScript(`packages/model/scripts/${script}`, args, {
            typedIn: dataDir,
            env: { DATA_DIR: dataDir, DATABASE_URL: url.toString() },
          });
        const rows = syntheticSeries(40, 120, 9).flatMap((s) =>
          s.points.map((p) => `${p.cardId},${p.date},${p.market},USD`),
        );
        writeFileSync(join(trainer, "prices.csv"), ["card_id,date,market_price,currency", ...rows].join("\n"));
        copyFileSync(join(trainer, "prices.csv"), join(server, "prices.csv"));

        const trained = await inContainer("train-model.ts", ["--prices", "prices.csv", "--promote"], trainer);
        expect(trained.stderr).not.toMatch(/EACCES/);
        expect(trained.code).toBe(0);
        const { id } = JSON.parse(trained.stdout) as { id: string };
        expect(existsSync(join(trainer, "models"))).toBe(false);

        // The other container scores with that model: it reads the ONNX bytes from the database.
        const evaluated = await inContainer("evaluate-model.ts", ["--prices", "prices.csv", "--model", id], server);
        expect(evaluated.code).toBe(0);
        expect(JSON.parse(evaluated.stdout)).toMatchObject({ model: id });
        expect(existsSync(join(server, "models"))).toBe(false);

        const registry = createModelRegistry({ db: pg.db });
        const production = (await registry.production())!;
        expect(production.id).toBe(id);
        expect(sha256Hex(await registry.loadArtifact(production))).toBe(production.artifactSha256);
      } finally {
        rmSync(trainer, { recursive: true, force: true });
        rmSync(server, { recursive: true, force: true });
        await pg.drop();
      }
    });
  },
);
