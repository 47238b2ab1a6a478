import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createArtifactStore, sha256Hex, type ArtifactStore } from "./artifact-store.js";

let root: string;
let store: ArtifactStore;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "artifact-store-"));
  store = createArtifactStore({ dir: join(root, "models") });
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const bytes = (text: string) => new TextEncoder().encode(text);
const error = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("resolved"),
    (e: unknown) => e,
  );

describe("createArtifactStore", () => {
  it("stores bytes under their sha256 and reads them back", async () => {
    const onnx = bytes("onnx graph v1");
    const sha = await store.put(onnx);
    expect(sha).toBe(sha256Hex(onnx));
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    expect(readdirSync(store.dir)).toEqual([`${sha}.onnx`]);
    expect(await store.has(sha)).toBe(true);
    expect(await store.get(sha)).toEqual(onnx);
  });

  it("is idempotent: the same bytes again leave the file alone and no temp files behind", async () => {
    const sha = await store.put(bytes("same"));
    const before = statSync(join(store.dir, `${sha}.onnx`)).mtimeMs;
    await Promise.all([store.put(bytes("same")), store.put(bytes("same"))]);
    expect(await store.put(bytes("same"))).toBe(sha);
    expect(readdirSync(store.dir)).toEqual([`${sha}.onnx`]);
    expect(statSync(join(store.dir, `${sha}.onnx`)).mtimeMs).toBe(before);
  });

  it("writes two concurrent first puts of the same bytes without a clash", async () => {
    const onnx = randomBytes(1 << 20);
    const [a, b] = await Promise.all([store.put(onnx), store.put(onnx)]);
    expect(a).toBe(b);
    expect(readdirSync(store.dir)).toEqual([`${a}.onnx`]);
    expect(Buffer.from(await store.get(a)).equals(onnx)).toBe(true);
  });

  it("never shows a partial file: while a large put runs, an artifact is absent or whole", async () => {
    const onnx = randomBytes(16 << 20);
    const sha = sha256Hex(onnx);
    let done = false;
    const writing = store.put(onnx).finally(() => (done = true));
    const seen: string[] = [];
    while (!done) {
      // `get` verifies the hash, so a half-written file would throw ARTIFACT_CORRUPTED here.
      const outcome = await store.get(sha).then(
        (read) => (read.byteLength === onnx.length ? "whole" : "partial"),
        (e: { code?: string }) => e.code ?? "error",
      );
      seen.push(outcome);
      expect(["ARTIFACT_NOT_FOUND", "whole"]).toContain(outcome);
    }
    await writing;
    expect(seen.length).toBeGreaterThan(0);
    expect(Buffer.from(await store.get(sha)).equals(onnx)).toBe(true);
  });

  it("ignores the temp file a crashed write leaves behind", async () => {
    const sha = sha256Hex(bytes("crashed"));
    await store.put(bytes("other"));
    writeFileSync(join(store.dir, `.${sha}.abc123.tmp`), "cras");
    expect(await store.has(sha)).toBe(false);
    expect(await error(store.get(sha))).toMatchObject({ code: "ARTIFACT_NOT_FOUND" });
    expect(await store.put(bytes("crashed"))).toBe(sha);
    expect(await store.get(sha)).toEqual(bytes("crashed"));
  });

  it.each([
    ["a flipped byte", (original: Buffer) => Buffer.from(original.map((b, i) => (i === 3 ? b ^ 0xff : b)))],
    ["a truncated file", (original: Buffer) => original.subarray(0, 5)],
    ["an empty file", () => Buffer.alloc(0)],
  ])("detects a corrupted artifact (%s) on read, and a put repairs it", async (_name, corrupt) => {
    const onnx = bytes("a model that will rot on disk");
    const sha = await store.put(onnx);
    writeFileSync(join(store.dir, `${sha}.onnx`), corrupt(Buffer.from(onnx)));
    const failure = await error(store.get(sha));
    expect(failure).toMatchObject({ code: "ARTIFACT_CORRUPTED" });
    expect((failure as Error).message).toContain(`${sha}.onnx is corrupted`);
    expect(await store.put(onnx)).toBe(sha);
    expect(await store.get(sha)).toEqual(onnx);
  });

  it("reports a missing artifact, and has() is false before the directory exists", async () => {
    const sha = sha256Hex(bytes("never stored"));
    expect(await store.has(sha)).toBe(false);
    expect(await error(store.get(sha))).toMatchObject({ code: "ARTIFACT_NOT_FOUND" });
  });

  it.each(["../../etc/passwd", "ABC", "a".repeat(63), "A".repeat(64), ""])(
    "refuses %j as a sha256 instead of building a path from it",
    async (sha) => {
      expect(await error(store.get(sha))).toMatchObject({ code: "INVALID_ARGUMENT" });
      expect(await error(store.has(sha))).toMatchObject({ code: "INVALID_ARGUMENT" });
    },
  );

  it("refuses an empty artifact", async () => {
    expect(await error(store.put(new Uint8Array(0)))).toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("defaults to <DATA_DIR>/models, and DATA_DIR to .pokewatch", () => {
    expect(createArtifactStore({ dataDir: "/var/lib/pokewatch" }).dir).toBe("/var/lib/pokewatch/models");
    expect(createArtifactStore().dir).toBe(join(".pokewatch", "models"));
  });

  it("creates nothing until the first put", () => {
    const lazy = createArtifactStore({ dataDir: join(root, "data") });
    expect(readdirSync(root)).toEqual([]);
    expect(lazy.dir).toBe(join(root, "data", "models"));
  });
});
