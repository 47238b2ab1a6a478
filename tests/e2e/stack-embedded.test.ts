import type { RunningStack } from "@pokewatch/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_SUBGRAPHS_QUERY, postGraphQL, startTestStack } from "./stack-fixture.js";

let stack: RunningStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.close());

describe("whole stack on embedded defaults (PGlite, no Redis)", () => {
  it("runs on the embedded database", () => {
    expect(stack.database).toBe("pglite");
    expect(stack.redis).toBe(false);
  });

  it("answers one query that joins all three subgraphs through the gateway", async () => {
    const { status, headers, body } = await postGraphQL(stack.gatewayUrl, ALL_SUBGRAPHS_QUERY, {
      "x-request-id": "e2e-1",
    });
    expect(status).toBe(200);
    expect(headers.get("x-request-id")).toBe("e2e-1");
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      card: {
        id: "sv3pt5-6",
        name: "Charizard ex",
        rarity: "Double Rare",
        set: { name: "151", releaseDate: "2023-09-22" },
      },
      viewer: { authenticated: true, requestId: "e2e-1", key: { id: "key_admin" } },
      schedules: [
        { cron: "0 3 * * *", timezone: "UTC", nextRunAt: expect.stringMatching(/T03:00:00\.000Z$/), lastRun: null },
      ],
    });
  });

  it.each(["pricing", "keys", "pipeline"] as const)(
    "refuses a direct unsigned call to the %s subgraph with 401",
    async (name) => {
      const { status, headers, body } = await postGraphQL(stack.subgraphUrls[name], "{ __typename }");
      expect(status).toBe(401);
      expect(headers.get("www-authenticate")).toContain("PokeWatch-Signature");
      expect(body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    },
  );

  it("reports every subgraph ready from the gateway", async () => {
    const response = await fetch(stack.gatewayUrl.replace(/graphql$/, "ready"));
    expect(await response.json()).toEqual({
      status: "ready",
      service: "gateway",
      checks: { pricing: "ok", keys: "ok", pipeline: "ok" },
    });
  });

  it("keeps answering per-field errors with codes, not 500s", async () => {
    const { status, body } = await postGraphQL(stack.gatewayUrl, `{ card(id: "sv3pt5-9999") { id } }`);
    expect(status).toBe(200);
    expect(body.data).toEqual({ card: null });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND", serviceName: "pricing" });
  });
});
