import { createHash } from "node:crypto";
import { generateApiKeySecret } from "@pokewatch/kit";
import type { SeededRandom } from "./seeded-random.js";

/** One hostile (or merely odd) request, as the bytes that go on the wire. */
export interface FuzzCase {
  category: string;
  name: string;
  parts: Array<string | Buffer>;
}

export interface FuzzTarget {
  /** `127.0.0.1:port`, for the Host header. */
  host: string;
  apiKey: string;
  /** Real card ids, so some cases reach the subgraphs and the database. */
  cardIds: readonly string[];
}

interface HttpShape {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Leave the API key out (header abuse cases set their own). */
  anonymous?: boolean;
}

/** A well-formed HTTP/1.1 request around whatever body and headers a case wants. */
function http(target: FuzzTarget, shape: HttpShape): Array<string | Buffer> {
  const { method = "POST", path = "/graphql", headers = {}, body } = shape;
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${target.host}`, "Connection: close"];
  if (!shape.anonymous) lines.push(`x-api-key: ${target.apiKey}`);
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  const bytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8");
  if (bytes && !Object.keys(headers).some((name) => /^(content-length|transfer-encoding)$/i.test(name))) {
    lines.push(`Content-Length: ${bytes.length}`);
  }
  const head = `${lines.join("\r\n")}\r\n\r\n`;
  return bytes ? [head, bytes] : [head];
}

const JSON_TYPE = { "content-type": "application/json" };

function graphqlPost(target: FuzzTarget, payload: unknown, headers: Record<string, string> = {}) {
  return http(target, { headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify(payload) });
}

const repeat = (count: number, make: (i: number) => string, separator = " ") =>
  Array.from({ length: count }, (_, i) => make(i)).join(separator);

/** `count` cases of one category, each made by `make` with its index. */
function many(category: string, count: number, make: (i: number) => { name: string; parts: Array<string | Buffer> }) {
  return Array.from({ length: count }, (_, i) => ({ category, ...make(i) }));
}

/**
 * The fuzz corpus: every category the issue lists, each case drawn from `random` so a seed
 * reproduces a run. About 600 requests.
 */
export function fuzzCases(random: SeededRandom, target: FuzzTarget): FuzzCase[] {
  const card = () => random.pick(target.cardIds);
  const sizes = [1, 2, 10, 100, 999, 1_000, 1_001, 5_000, 20_000];
  const junkChar = () => String.fromCharCode(random.int(0, 0xffff));
  const junk = (length: number) => Array.from({ length }, junkChar).join("");
  const hostileIds = [
    "\u0000",
    `${card()}\u0000`,
    "a\u0007b",
    "\u001b[31mred",
    "x".repeat(201),
    "x".repeat(100_000),
    "' OR 1=1 --",
    "'; DROP TABLE cards; --",
    "../../etc/passwd",
    "%00",
    "",
    " ",
    "\u202eevil",
    "🃏".repeat(60),
    "\ud800",
    "sv3pt5-6\r\nX-Injected: 1",
  ];
  const dates = [
    "2026-13-45",
    "",
    "2026-02-30",
    "99999-01-01",
    "0000-00-00",
    "2026-1-1",
    "tomorrow",
    "2026-01-01T00:00:00Z",
    "\u0000",
    "2026-01-01 ",
    "1e9",
  ];

  return [
    ...many("malformed JSON", 40, (i) => {
      const bodies = [
        "{",
        '{"query":',
        "null",
        "[]",
        "123",
        '"{ __typename }"',
        '{"query": 5}',
        '{"query": null}',
        '{"query": {}}',
        '{"query": ["{ __typename }"]}',
        '\ufeff{"query":"{ __typename }"}',
        `${"[".repeat(20_000)}${"]".repeat(20_000)}`,
        `{"query":"{ __typename }","variables":${"[".repeat(5_000)}${"]".repeat(5_000)}}`,
        '{"query":"{ __typename }","__proto__":{"polluted":true}}',
        '{"query":"{ __typename }","constructor":{"prototype":{"polluted":true}}}',
        '{"query":"{ __typename }","variables":"{}"}',
        '{"query":"{ __typename }","extensions":"{}"}',
        junk(random.int(1, 200)),
      ];
      const body = i < bodies.length ? bodies[i]! : junk(random.int(1, 2_000));
      return { name: `body ${i}`, parts: http(target, { headers: JSON_TYPE, body }) };
    }),

    ...many("content types", 30, (i) => {
      const types = [
        "text/plain",
        "application/graphql",
        "application/graphql-response+json",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
        "application/json; charset=utf-16",
        "application/json; charset=latin1",
        "application/xml",
        "*/*",
        "application/jsonx",
        "image/png",
      ];
      const type = types[i % types.length]!;
      const body = i % 2 ? JSON.stringify({ query: "{ __typename }" }) : "query={ __typename }";
      return { name: type, parts: http(target, { headers: { "content-type": type }, body }) };
    }),

    ...many("empty bodies", 20, (i) => {
      const headers = [{}, JSON_TYPE, { "content-type": "text/plain" }, { ...JSON_TYPE, "content-length": "0" }];
      return {
        name: `empty ${i}`,
        parts: http(target, { method: i % 5 === 4 ? "GET" : "POST", headers: headers[i % headers.length]!, body: "" }),
      };
    }),

    ...many("GET and CSRF shapes", 30, (i) => {
      const queries = [
        `query=${encodeURIComponent("{ __typename }")}`,
        `query=${encodeURIComponent('mutation { revokeApiKey(id: "key_x") { id } }')}`,
        `query=${encodeURIComponent("{ __typename }")}&extensions=${encodeURIComponent("{not json")}`,
        `query=${encodeURIComponent("{ __typename }")}&variables=${encodeURIComponent("[1]")}`,
        `query=${encodeURIComponent("{ __typename }")}&query=${encodeURIComponent("{ __typename }")}`,
        "query=",
        "",
        `query=${encodeURIComponent(`{ card(id: "${card()}") { name } }`)}`,
        `query=%E0%A4%A`,
        `operationName=${"x".repeat(5_000)}`,
      ];
      const headerSets: Record<string, string>[] = [
        {},
        { "content-type": "text/plain" },
        { "apollo-require-preflight": "true" },
        JSON_TYPE,
      ];
      return {
        name: `GET ${i}`,
        parts: http(target, {
          method: "GET",
          path: `/graphql?${queries[i % queries.length]!}`,
          headers: headerSets[Math.floor(i / queries.length) % headerSets.length]!,
        }),
      };
    }),

    ...many("CSRF-shaped POST", 10, (i) => ({
      name: `simple POST ${i}`,
      parts: http(target, {
        headers: { "content-type": i % 2 ? "text/plain" : "application/x-www-form-urlencoded" },
        body: JSON.stringify({
          query: 'mutation { createApiKey(input: { name: "csrf", scopes: ["prices:read"] }) { secret } }',
        }),
      }),
    })),

    ...many("oversized bodies", 12, (i) => {
      const big = Buffer.alloc(random.int(1_048_577, 2_500_000), 0x20);
      if (i % 3 === 0)
        return { name: "content-length over the limit", parts: http(target, { headers: JSON_TYPE, body: big }) };
      if (i % 3 === 1) {
        return {
          name: "a declared length of 5 GB, body never sent",
          parts: http(target, { headers: { ...JSON_TYPE, "content-length": "5000000000" } }),
        };
      }
      const chunk = Buffer.alloc(65_536, 0x20);
      const chunks = Array.from({ length: 20 }, () =>
        Buffer.concat([Buffer.from("10000\r\n"), chunk, Buffer.from("\r\n")]),
      );
      return {
        name: "chunked, 1.3 MB",
        parts: [...http(target, { headers: { ...JSON_TYPE, "transfer-encoding": "chunked" } }), ...chunks, "0\r\n\r\n"],
      };
    }),

    ...many("depth and fragments", 50, (i) => {
      const level = random.pick([5, 19, 20, 21, 30, 100, 900, 3_000]);
      const shapes = [
        () => `{ card(id: "${card()}") ${"{ set ".repeat(0)}{ ${"name ".repeat(1)}} }`,
        () => `${"{ a ".repeat(level)}${"}".repeat(level)}`,
        () =>
          `{ ...C0 } ${repeat(level, (n) => `fragment C${n} on Query { ...C${n + 1} }`)} fragment C${level} on Query { __typename }`,
        () =>
          `{ ...F0 } ${repeat(Math.min(level, 60), (n) => `fragment F${n} on Query { ...F${n + 1} ...F${n + 1} }`)} fragment F${Math.min(level, 60)} on Query { __typename }`,
        () => `{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }`,
        () => `{ ...A } fragment A on Query { __typename ...A }`,
        () => `{ ...Missing }`,
        () =>
          `{ card(id: "${card()}") { ...X } } ${repeat(Math.min(level, 40), (n) => `fragment X${n === 0 ? "" : n} on Card { set { ...X${n + 1} } }`)} fragment X${Math.min(level, 40)} on Card { id }`,
        () => `query { ${'card(id: "x") { set { '.repeat(1)}${"name } } "} }`,
        () => `{ cards(ids: ${"[".repeat(level)}"x"${"]".repeat(level)}) { id } }`,
      ];
      return {
        name: `shape ${i % shapes.length} level ${level}`,
        parts: graphqlPost(target, { query: shapes[i % shapes.length]!() }),
      };
    }),

    ...many("alias, field and directive floods", 45, (i) => {
      const count = random.pick([50, 100, 101, 1_000, 5_000, 20_000, 55_000]);
      const shapes = [
        () => `{ ${repeat(count, (n) => `a${n}: __typename`)} }`,
        () => `{ ${repeat(count, (n) => `c${n}: card(id: "${card()}") { fairPrice { fairPrice } }`)} }`,
        () => `{ ${repeat(count, () => "__typename")} }`,
        () => `{ card(id: "${card()}") { ${repeat(count, () => "name")} } }`,
        () => `{ __typename ${repeat(count, () => "@include(if: true)")} }`,
        () => `query ${repeat(Math.min(count, 5_000), () => "@skip(if: false)")} { __typename }`,
        () => repeat(Math.min(count, 3_000), (n) => `query Q${n} { __typename }`),
        () => `query (${repeat(Math.min(count, 3_000), (n) => `$v${n}: ID`, ", ")}) { __typename }`,
        () => `{ card(id: "${card()}") { ${repeat(Math.min(count, 200), (n) => `p${n}: priceHistory { date }`)} } }`,
      ];
      const query = shapes[i % shapes.length]!();
      return {
        name: `flood ${i % shapes.length} × ${count}`,
        parts: graphqlPost(target, { query, operationName: i % 9 === 6 ? "Q1" : undefined }),
      };
    }),

    ...many("huge lists", 30, (i) => {
      const size = random.pick(sizes);
      const ids = Array.from({ length: size }, () => card());
      const shapes = [
        () => ({ query: "query ($ids: [ID!]!) { cards(ids: $ids) { id name } }", variables: { ids } }),
        () => ({
          query: "query ($r: [FairPriceRequest!]!) { fairPrices(requests: $r) { fairPrice signal } }",
          variables: { r: ids.map((cardId) => ({ cardId })) },
        }),
        () => ({ query: `{ cards(ids: [${ids.map((id) => `"${id}"`).join(",")}]) { id } }` }),
        () => ({ query: `{ searchCards(name: "a", first: ${size}) { totalCount edges { node { id } } } }` }),
        () => ({ query: `{ deals(limit: ${size}) { card { id } deviationPct } }` }),
        () => ({ query: "query ($ids: [ID!]!) { cards(ids: $ids) { id } }", variables: { ids: [[ids]] } }),
      ];
      return { name: `list ${i % shapes.length} × ${size}`, parts: graphqlPost(target, shapes[i % shapes.length]!()) };
    }),

    ...many("bad dates", 30, (i) => {
      const date = dates[i % dates.length]!;
      const shapes = [
        () => ({ query: `{ card(id: "${card()}") { fairPrice(date: ${JSON.stringify(date)}) { fairPrice } } }` }),
        () => ({
          query: 'query ($d: Date) { card(id: "sv3pt5-6") { marketPrice(date: $d) { market } } }',
          variables: { d: date },
        }),
        () => ({
          query: `{ card(id: "${card()}") { priceHistory(from: ${JSON.stringify(date)}, to: "2020-01-01") { date } } }`,
        }),
        () => ({
          query: `{ fairPrices(requests: [{ cardId: "${card()}", date: ${JSON.stringify(date)} }]) { fairPrice } }`,
        }),
        () => ({
          query: 'query ($d: Date) { card(id: "sv3pt5-6") { fairPrice(date: $d) { date } } }',
          variables: { d: random.pick([5, true, {}, [], null]) },
        }),
      ];
      return {
        name: `date ${JSON.stringify(date).slice(0, 20)} shape ${i % shapes.length}`,
        parts: graphqlPost(target, shapes[i % shapes.length]!()),
      };
    }),

    ...many("hostile ids", 48, (i) => {
      const id = hostileIds[i % hostileIds.length]!;
      const shapes = [
        () => ({ query: "query ($id: ID!) { card(id: $id) { id name } }", variables: { id } }),
        () => ({ query: "query ($ids: [ID!]!) { cards(ids: $ids) { id } }", variables: { ids: [card(), id] } }),
        () => ({ query: "query ($id: ID!) { apiKey(id: $id) { id } pipelineRun(id: $id) { id } }", variables: { id } }),
      ];
      return {
        name: `id ${JSON.stringify(id).slice(0, 24)} shape ${i % shapes.length}`,
        parts: graphqlPost(target, shapes[i % shapes.length]!()),
      };
    }),

    ...many("wrong types", 30, (i) => {
      const cases = [
        { query: "{ card(id: 5) { id } }" },
        { query: '{ cards(ids: "x") { id } }' },
        { query: "{ searchCards(first: -1) { totalCount } }" },
        { query: "{ searchCards(first: 2147483648) { totalCount } }" },
        { query: '{ searchCards(first: "ten") { totalCount } }' },
        { query: "{ deals(signal: FOO, limit: -5) { fairPrice } }" },
        { query: "query ($id: ID!) { card(id: $id) { id } }", variables: { id: { $gt: "" } } },
        { query: "query ($id: ID!) { card(id: $id) { id } }" },
        { query: "query ($id: ID!) { card(id: $id) { id } }", variables: { id: null } },
        { query: "query ($n: Int) { searchCards(first: $n) { totalCount } }", variables: { n: 1e300 } },
        { query: '{ searchCards(after: "not-a-cursor") { totalCount } }' },
        { query: `{ searchCards(after: "${Buffer.from("x".repeat(500)).toString("base64")}") { totalCount } }` },
        { query: 'mutation { createApiKey(input: { name: 5, scopes: ["nope"] }) { secret } }' },
        { query: 'mutation { rotateApiKey(id: "key_x", gracePeriodSeconds: -1) { secret } }' },
        {
          query: "mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }",
          variables: { i: { name: "\u0000".repeat(300), scopes: [] } },
        },
      ];
      return { name: `wrong type ${i % cases.length}`, parts: graphqlPost(target, cases[i % cases.length]!) };
    }),

    ...many("unknown fields and subscriptions", 24, (i) => {
      const queries = [
        "{ nope }",
        `{ card(id: "${card()}", nope: 1) { id } }`,
        'subscription { card(id: "x") { id } }',
        "subscription S { __typename }",
        "mutation { nope }",
        "{ __foo }",
        "{ card { id } }",
        "query Q($x: Nope) { __typename }",
      ];
      return { name: queries[i % queries.length]!, parts: graphqlPost(target, { query: queries[i % queries.length] }) };
    }),

    ...many("introspection abuse", 24, (i) => {
      const ofType = (n: number): string => (n === 0 ? "name" : `name ofType { ${ofType(n - 1)} }`);
      const queries = [
        "{ __schema { types { name fields { name type { name } } } } }",
        `{ __schema { types { fields { type { ${ofType(30)} } } } } }`,
        `{ __type(name: "${"x".repeat(50_000)}") { name } }`,
        `{ ${repeat(60, (n) => `s${n}: __schema { types { name } }`)} }`,
        `{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }`,
        `{ __type(name: "Card") { fields(includeDeprecated: true) { args { type { ${ofType(8)} } } } } }`,
      ];
      return {
        name: `introspection ${i % queries.length}`,
        parts: graphqlPost(target, { query: queries[i % queries.length] }),
      };
    }),

    ...many("batched arrays", 12, () => {
      const size = random.pick([0, 1, 2, 100, 1_000]);
      return {
        name: `batch of ${size}`,
        parts: graphqlPost(
          target,
          Array.from({ length: size }, () => ({ query: "{ __typename }" })),
        ),
      };
    }),

    ...many("header abuse", 45, (i) => {
      const json = JSON.stringify({ query: "{ __typename }" });
      const cases: Array<() => Array<string | Buffer>> = [
        () => [
          `POST /graphql HTTP/1.1\r\nHost: ${target.host}\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`,
        ],
        () => [
          `POST /graphql HTTP/1.1\r\nHost: ${target.host}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n`,
        ],
        () => http(target, { headers: { ...JSON_TYPE, "x-big": "a".repeat(random.int(17_000, 80_000)) }, body: json }),
        () =>
          http(target, {
            headers: { ...JSON_TYPE, ...Object.fromEntries(Array.from({ length: 2_000 }, (_, n) => [`x-h${n}`, "1"])) },
            body: json,
          }),
        () => [
          `POST /graphql HTTP/1.1\r\nHost: ${target.host}\r\nx-api-key: ${target.apiKey}\r\nx-api-key: ${target.apiKey}\r\ncontent-type: application/json\r\nContent-Length: ${json.length}\r\n\r\n${json}`,
        ],
        () =>
          http(target, {
            anonymous: true,
            headers: { ...JSON_TYPE, "x-api-key": junk(random.int(1, 300)).replace(/[\r\n]/g, "") },
            body: json,
          }),
        () =>
          http(target, {
            anonymous: true,
            headers: { ...JSON_TYPE, authorization: `Bearer ${"pw_live_".padEnd(46, "0")}` },
            body: json,
          }),
        () =>
          http(target, { anonymous: true, headers: { ...JSON_TYPE, authorization: "Basic Zm9vOmJhcg==" }, body: json }),
        () => http(target, { headers: { ...JSON_TYPE, "x-request-id": "\u00ff".repeat(400) }, body: json }),
        () =>
          http(target, {
            headers: { ...JSON_TYPE, "x-pokewatch-identity": "forged", "x-pokewatch-signature": "forged" },
            body: json,
          }),
        () => ["GET /graphql\r\n\r\n"],
        () => ["GARBAGE\r\n\r\n"],
        () => [`POST  HTTP/1.1\r\nHost: ${target.host}\r\n\r\n`],
        () => [`GET /graphql HTTP/9.9\r\nHost: ${target.host}\r\n\r\n`],
        () => [`GET http://evil.example/graphql HTTP/1.1\r\nHost: ${target.host}\r\n\r\n`],
        () => [`GET /graphql?${"q".repeat(20_000)} HTTP/1.1\r\nHost: ${target.host}\r\n\r\n`],
        () => [`GET /graphql HTTP/1.0\r\n\r\n`],
        () => [
          `POST /graphql HTTP/1.1\r\nHost: bad host name\r\nContent-Length: ${json.length}\r\ncontent-type: application/json\r\n\r\n${json}`,
        ],
        () => [`GET /graphql HTTP/1.1\r\nHost: [::1\r\n\r\n`],
        () => [`\u0000\u0001\u0002\r\n\r\n`],
        () => [`POST /graphql HTTP/1.1\r\nHost: ${target.host}\r\nBad Header: x\r\n\r\n`],
        () => [
          `OPTIONS /graphql HTTP/1.1\r\nHost: ${target.host}\r\nOrigin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\n\r\n`,
        ],
        () => [`DELETE /graphql HTTP/1.1\r\nHost: ${target.host}\r\nConnection: close\r\n\r\n`],
      ];
      return { name: `header case ${i % cases.length}`, parts: cases[i % cases.length]!() };
    }),

    ...many("persisted queries", 30, (i) => {
      const query = random.pick(["{ __typename }", `{ card(id: "${card()}") { name } }`]);
      const hash = createHash("sha256").update(query).digest("hex");
      const shapes = [
        { query, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } },
        { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } },
        { query, extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } },
        { query, extensions: { persistedQuery: { version: 1, sha256Hash: "abc" } } },
        { query, extensions: { persistedQuery: { version: 1.5, sha256Hash: hash } } },
        { query, extensions: { persistedQuery: { version: "1", sha256Hash: hash } } },
        { query, extensions: { persistedQuery: [] } },
        { extensions: { persistedQuery: "x" } },
        { extensions: { persistedQuery: null } },
        { extensions: { persistedQuery: { version: 1, sha256Hash: hash.toUpperCase() } } },
      ];
      return { name: `apq ${i % shapes.length}`, parts: graphqlPost(target, shapes[i % shapes.length]) };
    }),

    ...many("operation names", 24, (i) => {
      const two = "query A { __typename } query B { __typename }";
      const shapes = [
        { query: two },
        { query: two, operationName: "C" },
        { query: two, operationName: 5 },
        { query: two, operationName: "x".repeat(10_000) },
        { query: two, operationName: "A\u0000" },
        { query: "{ __typename }", operationName: "" },
        { query: "query A { __typename } query A { __typename }", operationName: "A" },
        { query: "fragment F on Query { __typename }" },
      ];
      return { name: `operation name ${i % shapes.length}`, parts: graphqlPost(target, shapes[i % shapes.length]) };
    }),

    // Made-up keys with a valid checksum (CRC32 is public), as a key-guessing attack sends them, half
    // claiming another client address in X-Forwarded-For (believed only with TRUST_PROXY). The keys
    // themselves come from crypto, not the seed: which unknown key is sent changes nothing.
    ...many("forged keys", 40, (i) => {
      const headers: Record<string, string> = { ...JSON_TYPE, "x-api-key": generateApiKeySecret() };
      if (i % 2 === 1) headers["x-forwarded-for"] = `198.51.100.${random.int(1, 254)}`;
      return {
        name: `forged key ${i}`,
        parts: http(target, { anonymous: true, headers, body: '{"query":"{ __typename }"}' }),
      };
    }),
  ];
}
