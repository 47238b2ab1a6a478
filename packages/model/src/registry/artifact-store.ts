/* eslint-disable security/detect-non-literal-fs-filename -- paths are DATA_DIR plus a checked sha256 (assertSha256) */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { ModelRegistryError } from "./registry-error.js";

/** Where the embedded default keeps its files when DATA_DIR is not set. */
export const DEFAULT_DATA_DIR = ".pokewatch";

export interface ArtifactStoreOptions {
  /** The artifact directory itself. @default `${dataDir}/models` */
  dir?: string;
  /** DATA_DIR, used only when `dir` is not given. @default ".pokewatch" */
  dataDir?: string;
}

/**
 * ONNX files named by the sha256 of their bytes: `<dir>/<sha256>.onnx`, the layout registries used
 * before model migration 2. The registry itself keeps artifacts in the database now; this store
 * remains to read those old files when `importFileArtifacts` moves them in.
 */
export interface ArtifactStore {
  readonly dir: string;
  /** Stores the bytes and returns their sha256; storing the same bytes again is a no-op. */
  put(bytes: Uint8Array): Promise<string>;
  /** The bytes named `sha256`, checked against that hash. */
  get(sha256: string): Promise<Uint8Array>;
  /** Whether a file for `sha256` exists (not verified; `get` verifies). */
  has(sha256: string): Promise<boolean>;
}

const SHA256 = /^[0-9a-f]{64}$/;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function assertSha256(sha256: string): void {
  // The hash becomes a file name, so anything else could point outside the directory.
  if (typeof sha256 !== "string" || !SHA256.test(sha256)) {
    throw new ModelRegistryError(
      "INVALID_ARGUMENT",
      `sha256 must be 64 lowercase hex digits, got ${JSON.stringify(sha256)}`,
    );
  }
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === "ENOENT";

export function createArtifactStore({
  dataDir = DEFAULT_DATA_DIR,
  dir = join(dataDir, "models"),
}: ArtifactStoreOptions = {}): ArtifactStore {
  const pathOf = (sha256: string) => join(dir, `${sha256}.onnx`);

  async function readVerified(sha256: string): Promise<Uint8Array> {
    let bytes: Buffer;
    try {
      bytes = await readFile(pathOf(sha256));
    } catch (error) {
      if (isMissing(error)) throw new ModelRegistryError("ARTIFACT_NOT_FOUND", `No artifact ${sha256} in ${dir}`);
      throw error;
    }
    const actual = sha256Hex(bytes);
    if (actual !== sha256) {
      throw new ModelRegistryError(
        "ARTIFACT_CORRUPTED",
        `Artifact ${pathOf(sha256)} is corrupted: its ${bytes.length} bytes hash to ${actual}`,
      );
    }
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async function writeAtomically(sha256: string, bytes: Uint8Array): Promise<void> {
    await mkdir(dir, { recursive: true });
    // Same directory, so the rename never crosses file systems; readers see no file or the whole file.
    const temp = join(dir, `.${sha256}.${randomBytes(6).toString("hex")}.tmp`);
    try {
      const file = await open(temp, "wx");
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, pathOf(sha256));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await syncDirectory(dir);
  }

  return {
    dir,
    async put(bytes) {
      if (!(bytes instanceof Uint8Array) || bytes.byteLength === 0) {
        throw new ModelRegistryError("INVALID_ARGUMENT", "an artifact must be a non-empty Uint8Array");
      }
      const sha256 = sha256Hex(bytes);
      try {
        await readVerified(sha256);
        return sha256;
      } catch (error) {
        // A missing or damaged file is (re)written; any other failure is real.
        if (!(error instanceof ModelRegistryError)) throw error;
      }
      await writeAtomically(sha256, bytes);
      return sha256;
    },
    async get(sha256) {
      assertSha256(sha256);
      return readVerified(sha256);
    },
    async has(sha256) {
      assertSha256(sha256);
      try {
        return (await stat(pathOf(sha256))).isFile();
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    },
  };
}

/** Makes the rename itself durable; platforms that cannot fsync a directory just skip it. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows refuses to open a directory; the file itself is already synced.
  }
}
