import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createPokemonPriceTrackerClient, type PptCardQuery } from "./pokemon-price-tracker-client.js";
import { createPokemonTcgClient } from "./pokemontcg-client.js";
import { PROVIDER_ERROR_CODES } from "./provider-error.js";

const KEY = "ppt_live_abcdef0123456789";

describe("bad client options fail at construction, naming the contract and the value", () => {
  it.each([
    [{ timeoutMs: 0 }, "timeoutMs must be an integer from 1 to 2147483647, got 0"],
    [{ retries: -1 }, "retries must be an integer from 0 to 10, got -1"],
    [{ retries: 2.5 }, "retries must be an integer from 0 to 10, got 2.5"],
    [{ backoff: { baseMs: 100, maxMs: 10 } }, "backoff.maxMs must be an integer from 100 to 2147483647, got 10"],
    [{ maxRetryAfterMs: Number.NaN }, "maxRetryAfterMs must be an integer from 0 to 2147483647, got NaN"],
    [{ pageSize: 500 }, "pageSize must be an integer from 1 to 250, got 500"],
    [
      { baseUrl: "api.pokemontcg.io/v2" },
      'baseUrl must be an absolute http(s) URL without query or fragment, got "api.pokemontcg.io/v2"',
    ],
    [{ baseUrl: "https://api.pokemontcg.io/v2?key=1" }, "baseUrl must be an absolute http(s) URL"],
    [{ apiKey: "" }, "apiKey must be a non-empty single-line string when given"],
  ])("createPokemonTcgClient(%j)", (options, message) => {
    expect(() => createPokemonTcgClient(options)).toThrow(message);
  });

  it("requires a PPT key, and never echoes a malformed one", () => {
    expect(() => createPokemonPriceTrackerClient({} as never)).toThrow("apiKey must be a non-empty single-line string");
    const badKey = `${KEY}\nInjected: header`;
    expect(() => createPokemonPriceTrackerClient({ apiKey: badKey })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(KEY) as string }),
    );
  });
});

describe("bad call arguments reject before any request", () => {
  const tcg = createPokemonTcgClient({ baseUrl: "http://127.0.0.1:9" });
  const ppt = createPokemonPriceTrackerClient({ apiKey: KEY, baseUrl: "http://127.0.0.1:9" });

  it("refuses ids that would widen the pokemontcg.io query", async () => {
    await expect(tcg.listSetPrices("sv1 OR set.id:*")).rejects.toThrow(/setId must be a pokemontcg.io id/);
    await expect(tcg.getCard("")).rejects.toThrow(/id must be a pokemontcg.io id/);
  });

  it.each([
    [{ tcgPlayerId: 1 }, { cardId: "", days: 7 }, "options.cardId must be our card id"],
    [{ tcgPlayerId: 1 }, { cardId: "sv1-1", days: 0 }, "days must be an integer from 1 to 365, got 0"],
    [{ tcgPlayerId: "12a" }, { cardId: "sv1-1", days: 7 }, 'tcgPlayerId must be a positive integer, got "12a"'],
    [{ cardNumber: "4/102" }, { cardId: "sv1-1", days: 7 }, "query must be { tcgPlayerId } or { cardNumber, set }"],
    [{ cardNumber: " ", set: "base1" }, { cardId: "sv1-1", days: 7 }, "cardNumber and set must not be empty"],
  ])("getCardHistory(%j, %j)", async (query, options, message) => {
    await expect(ppt.getCardHistory(query as PptCardQuery, options)).rejects.toThrow(message);
  });
});

describe("docs/providers.md", () => {
  it("documents every provider error code", () => {
    const docs = readFileSync(new URL("../../../../docs/providers.md", import.meta.url), "utf8");
    for (const code of Object.keys(PROVIDER_ERROR_CODES)) expect(docs).toContain(`\`${code}\``);
  });
});
