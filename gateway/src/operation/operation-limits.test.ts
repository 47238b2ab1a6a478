import { getIntrospectionQuery, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { DEFAULT_OPERATION_LIMITS, checkDocument, checkSource, limitMessage } from "./operation-limits.js";

const limits = DEFAULT_OPERATION_LIMITS;
const check = (query: string) => checkSource(query, limits) ?? checkDocument(parse(query), limits);

/** `{ ...F0 } fragment F0 on Query { ...F1 ...F1 } … fragment Fn on Query { __typename }`: 2^n fields. */
function fragmentDoubling(levels: number): string {
  const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
  return `{ ...F0 } ${fragments.join(" ")} fragment F${levels} on Query { __typename }`;
}

describe("operation limits: the legitimate queries the defaults were chosen from", () => {
  it("accepts the introspection query tools send (15 deep, 220 fields expanded)", () => {
    const introspection = getIntrospectionQuery();
    expect(check(introspection)).toBeUndefined();
    const exact = { maxTokens: 1e9, maxDepth: 15, maxAliases: 0, maxDirectives: 0, maxFields: 220 };
    expect(checkDocument(parse(introspection), exact)).toBeUndefined();
    expect(checkDocument(parse(introspection), { ...exact, maxDepth: 14 })).toMatchObject({ limit: "depth" });
    expect(checkDocument(parse(introspection), { ...exact, maxFields: 219 })).toMatchObject({ limit: "fields" });
  });

  it("accepts a fairPrices batch of 1,000 inline requests", () => {
    const items = Array.from({ length: 1000 }, (_, i) => `{ cardId: "sv3pt5-${i}", date: "2026-01-01" }`);
    expect(check(`{ fairPrices(requests: [${items.join(", ")}]) { fairPrice signal card { id } } }`)).toBeUndefined();
  });
});

describe("operation limits: what they refuse", () => {
  it("counts tokens before parsing, stopping at the first one over", () => {
    const many = `{ cards(ids: [${Array.from({ length: 30_000 }, (_, i) => `"${i}"`).join(",")}]) { id } }`;
    expect(checkSource(many, limits)).toEqual({ limit: "tokens", max: 20_000, actual: 20_001 });
  });

  it("refuses brackets nested deeper than fields may go, before the recursive parser sees them", () => {
    const deep = `${"{ a ".repeat(5_000)}${"}".repeat(5_000)}`;
    expect(checkSource(deep, limits)).toEqual({ limit: "depth", max: 20, actual: 31, brackets: true });
    const deepList = `{ cards(ids: ${"[".repeat(2_000)}"x"${"]".repeat(2_000)}) { id } }`;
    expect(checkSource(deepList, limits)).toMatchObject({ limit: "depth" });
  });

  it("measures depth through fragments", () => {
    const chain = Array.from({ length: 25 }, (_, i) => `fragment D${i} on Card { set { ...D${i + 1} } }`);
    const query = `{ card(id: "a") { ...D0 } } ${chain.join(" ")} fragment D25 on Card { id }`;
    expect(check(query)).toMatchObject({ limit: "depth", actual: 27 });
  });

  it("measures a fragment that doubles itself 30 times as 2^30 fields, without expanding it", () => {
    expect(check(fragmentDoubling(30))).toEqual({ limit: "fields", max: 2_000, actual: 2 ** 30 });
    // 200 levels: a count past any integer; the message still says how large.
    const huge = check(fragmentDoubling(200))!;
    expect(huge.actual).toBeGreaterThan(Number.MAX_SAFE_INTEGER);
    expect(limitMessage(huge)).toMatch(/selects more than 9007199254740991 fields/);
  });

  it("walks a chain of 1,000 fragments without a deep call stack", () => {
    const chain = Array.from({ length: 1_000 }, (_, i) => `fragment C${i} on Query { ...C${i + 1} }`);
    expect(check(`{ ...C0 } ${chain.join(" ")} fragment C1000 on Query { __typename }`)).toBeUndefined();
  });

  it("counts nothing for cycles and unknown fragments (validation refuses them)", () => {
    expect(check(`{ ...A } fragment A on Query { ...B } fragment B on Query { ...A __typename } `)).toBeUndefined();
    expect(check(`{ ...Missing }`)).toBeUndefined();
  });

  it("counts aliases and directives as often as fragments repeat them", () => {
    const aliases = Array.from({ length: 101 }, (_, i) => `c${i}: card(id: "x") { id }`).join(" ");
    expect(check(`{ ${aliases} }`)).toEqual({ limit: "aliases", max: 100, actual: 101 });
    const twice = `{ ...A ...B } fragment A on Query { ...X } fragment B on Query { ...X }
      fragment X on Query { ${Array.from({ length: 51 }, (_, i) => `a${i}: __typename`).join(" ")} }`;
    expect(check(twice)).toEqual({ limit: "aliases", max: 100, actual: 102 });
    expect(check(`{ __typename ${"@skip(if: false) ".repeat(51)}}`)).toEqual({
      limit: "directives",
      max: 50,
      actual: 51,
    });
  });

  it("names the limit, the value and the maximum in its message", () => {
    expect(limitMessage({ limit: "aliases", max: 100, actual: 101 })).toMatch(/uses 101 aliases; at most 100/);
    expect(limitMessage({ limit: "depth", max: 20, actual: 27 })).toMatch(/nests 27 levels deep; at most 20/);
    expect(limitMessage({ limit: "depth", max: 20, actual: 31, brackets: true })).toMatch(/brackets 31 deep/);
  });
});

describe("operation limits: a document of many operations", () => {
  it("adds up the operations' sizes: each is validated, whichever one runs", () => {
    const operations = Array.from({ length: 2_001 }, (_, i) => `query Q${i} { __typename }`).join(" ");
    expect(check(operations)).toEqual({ limit: "fields", max: 2_000, actual: 2_001 });
  });
});
