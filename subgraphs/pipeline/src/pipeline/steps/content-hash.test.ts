import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createCatalog, loadBundledCatalog, simulatedCatalogData } from "@pokewatch/market";
import { afterAll, describe, expect, it } from "vitest";
import { MODEL_SRC_URL, catalogAttributesHash, codeVersionOfDir } from "./content-hash.js";

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A fresh directory of files (a fresh path each time: code versions are remembered per path). */
function dirWith(files: Record<string, string>): URL {
  const root = mkdtempSync(join(tmpdir(), "code-version-"));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(root, file, ".."), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return pathToFileURL(`${root}/`);
}

describe("codeVersionOfDir", () => {
  const files = { "a.ts": "export const a = 1;\n", "nested/b.ts": "export const b = 2;\n" };

  it("is the same for the same files, and remembered", () => {
    const dir = dirWith(files);
    expect(codeVersionOfDir(dirWith(files))).toBe(codeVersionOfDir(dir));
    expect(codeVersionOfDir(dir)).toMatch(/^[0-9a-f]{64}$/);
    expect(codeVersionOfDir(new URL(dir.href.slice(0, -1)))).toBe(codeVersionOfDir(dir));
  });

  it("changes with any .ts file's content or name, nested ones too", () => {
    const version = codeVersionOfDir(dirWith(files));
    expect(codeVersionOfDir(dirWith({ ...files, "nested/b.ts": "export const b = 3;\n" }))).not.toBe(version);
    expect(codeVersionOfDir(dirWith({ ...files, "c.ts": "" }))).not.toBe(version);
    const { "a.ts": a, ...rest } = files;
    expect(codeVersionOfDir(dirWith({ ...rest, "z.ts": a }))).not.toBe(version);
  });

  it("ignores tests and files that are not TypeScript", () => {
    const version = codeVersionOfDir(dirWith(files));
    expect(codeVersionOfDir(dirWith({ ...files, "a.test.ts": "x", "README.md": "y", "b.d.ts": "z" }))).toBe(version);
  });

  it("refuses a directory without code (a wrong path must not hash to a constant)", () => {
    expect(() => codeVersionOfDir(dirWith({ "notes.md": "" }))).toThrow(/no \.ts files/);
  });

  it("finds the model package's source", () => {
    expect(codeVersionOfDir(new URL("training/", MODEL_SRC_URL))).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("catalogAttributesHash", () => {
  const data = simulatedCatalogData(30, loadBundledCatalog());
  const hash = catalogAttributesHash(createCatalog(data));
  const card = data.cards[0]!;

  it("is the same for the same catalog data", () => {
    expect(catalogAttributesHash(createCatalog(structuredClone(data)))).toBe(hash);
  });

  it("changes with a card's rarity, a set's release date, or the cards", () => {
    const rarity = data.cards.map((c) => (c === card ? { ...c, rarity: `${c.rarity ?? ""}x` } : c));
    expect(catalogAttributesHash(createCatalog({ ...data, cards: rarity }))).not.toBe(hash);
    const sets = data.sets.map((s) => (s.id === card.setId ? { ...s, releaseDate: "1999-01-09" } : s));
    expect(catalogAttributesHash(createCatalog({ ...data, sets }))).not.toBe(hash);
    expect(catalogAttributesHash(createCatalog({ ...data, cards: data.cards.slice(1) }))).not.toBe(hash);
  });

  it("ignores what features do not read (names)", () => {
    const renamed = data.cards.map((c) => (c === card ? { ...c, name: `${c.name} (renamed)` } : c));
    expect(catalogAttributesHash(createCatalog({ ...data, cards: renamed }))).toBe(hash);
  });
});
