import { renderMetrics, type FastifyInstance } from "@pokewatch/kit";
import { signedQuery as signedQueryAs, testIdentity } from "@pokewatch/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedQuery, startPricingTestApp, type PricingTestApp } from "./testing/pricing-test-app.js";

let t: PricingTestApp;
let app: FastifyInstance;
beforeAll(async () => {
  t = await startPricingTestApp({ model: null });
  app = t.app;
});
afterAll(() => t.close());

describe("pricing subgraph: scopes", () => {
  it("refuses card fields to a caller without prices:read, behind the gateway's own check", async () => {
    const identity = testIdentity({ scopes: ["pipeline:read"] });
    const { body } = await signedQueryAs(app, `{ card(id: "sv3pt5-6") { id } sets { id } }`, { identity });
    expect(body.data).toBeNull();
    expect(body.errors?.[0]).toMatchObject({
      message: "Query.card needs the scope prices:read",
      extensions: { code: "FORBIDDEN" },
    });
  });
});

describe("pricing subgraph: cards", () => {
  it("serves a card with its set from the bundled catalog", async () => {
    const { body } = await signedQuery(
      app,
      `{ card(id: "sv3pt5-6") { id name number rarity imageUrl set { id name releaseDate } } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      card: {
        id: "sv3pt5-6",
        name: "Charizard ex",
        number: "6",
        rarity: "Double Rare",
        imageUrl: "https://images.pokemontcg.io/sv3pt5/6.png",
        set: { id: "sv3pt5", name: "151", releaseDate: "2023-09-22" },
      },
    });
  });

  it("answers an unknown card with null and NOT_FOUND", async () => {
    const { body } = await signedQuery(app, `{ card(id: "nope-1") { id } }`);
    expect(body.data).toEqual({ card: null });
    expect(body.errors?.[0]).toMatchObject({ path: ["card"], extensions: { code: "NOT_FOUND" } });
  });

  it("keeps the order of cards(ids) and nulls only the unknown one, with its index in the path", async () => {
    const { body } = await signedQuery(app, `{ cards(ids: ["sv4pt5-1", "nope-9", "sv3pt5-6"]) { id } }`);
    expect(body.data).toEqual({ cards: [{ id: "sv4pt5-1" }, null, { id: "sv3pt5-6" }] });
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]).toMatchObject({ path: ["cards", 1], extensions: { code: "NOT_FOUND" } });
  });

  it("refuses more than 1000 ids with BAD_USER_INPUT", async () => {
    const ids = Array.from({ length: 1001 }, (_, i) => `sv8-${i}`);
    const { body } = await signedQuery(app, `query ($ids: [ID!]!) { cards(ids: $ids) { id } }`, { variables: { ids } });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "ids" });
  });

  it("resolves Card entities for the gateway", async () => {
    const { body } = await signedQuery(
      app,
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Card { id name } } }`,
      {
        variables: {
          r: [
            { __typename: "Card", id: "sv3pt5-6" },
            { __typename: "Card", id: "gone-1" },
          ],
        },
      },
    );
    expect(body.data).toEqual({ _entities: [{ id: "sv3pt5-6", name: "Charizard ex" }, null] });
    expect(body.errors?.[0]).toMatchObject({ path: ["_entities", 1], extensions: { code: "NOT_FOUND" } });
  });
});

describe("pricing subgraph: searchCards", () => {
  const query = `query ($after: String) {
    searchCards(name: "charizard", first: 2, after: $after) {
      totalCount edges { cursor node { id name } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }`;
  type Page = {
    searchCards: {
      totalCount: number;
      edges: { cursor: string; node: { id: string; name: string } }[];
      pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
    };
  };

  it("pages with cursors", async () => {
    const first = await signedQuery<Page>(app, query);
    const page1 = first.body.data!.searchCards;
    expect(page1.edges).toHaveLength(2);
    expect(page1.totalCount).toBeGreaterThan(2);
    expect(page1.pageInfo).toMatchObject({
      hasNextPage: true,
      hasPreviousPage: false,
      endCursor: page1.edges[1]!.cursor,
    });

    const second = await signedQuery<Page>(app, query, { variables: { after: page1.pageInfo.endCursor } });
    const page2 = second.body.data!.searchCards;
    expect(page2.pageInfo.hasPreviousPage).toBe(true);
    expect(page2.edges.map((e) => e.node.id)).not.toContain(page1.edges[0]!.node.id);
    expect(page2.edges.every((e) => e.node.name.includes("Charizard"))).toBe(true);
  });

  it("rejects a forged cursor and an oversized page with BAD_USER_INPUT", async () => {
    const forged = await signedQuery(app, `{ searchCards(after: "xyz") { totalCount } }`);
    expect(forged.body.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "after" });
    const big = await signedQuery(app, `{ searchCards(first: 500) { totalCount } }`);
    expect(big.body.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "first" });
  });
});

describe("pricing subgraph: metrics", () => {
  it("gives its Prometheus metrics to the metrics listener, not to its public port", async () => {
    expect((await app.inject({ method: "GET", url: "/metrics" })).statusCode).toBe(404);
    const text = await renderMetrics([app]);
    for (const name of [
      "pokewatch_fair_price_cache_hits_total",
      "pokewatch_fair_price_cache_misses_total",
      "pokewatch_onnx_batch_rows",
      "pokewatch_onnx_inference_seconds",
      "pokewatch_http_requests_total",
    ]) {
      expect(text).toContain(`# TYPE ${name}`);
    }
    expect(text).toMatch(
      /^pokewatch_http_requests_total\{service="pricing",method="GET",route="unmatched",status="404"\} \d+$/m,
    );
  });
});
