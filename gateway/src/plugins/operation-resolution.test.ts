import { ApolloServer } from "@apollo/server";
import { describe, expect, it } from "vitest";
import { operationResolutionPlugin } from "./operation-resolution.js";

const server = new ApolloServer({
  typeDefs: "type Query { hello: String }",
  resolvers: { Query: { hello: () => "hi" } },
  plugins: [operationResolutionPlugin()],
});

async function run(query: string, operationName?: string) {
  const { http, body } = await server.executeOperation({ query, ...(operationName ? { operationName } : {}) });
  if (body.kind !== "single") throw new Error("expected a single result");
  return { status: http.status, result: body.singleResult };
}

describe("operationResolutionPlugin", () => {
  const document = "query A { hello } query B { hello }";

  it("refuses several operations without operationName, saying what to do", async () => {
    const { status, result } = await run(document);
    expect(status).toBe(400);
    expect(result.errors?.[0]).toMatchObject({
      message: expect.stringContaining("operationName"),
      extensions: { code: "OPERATION_RESOLUTION_FAILURE" },
    });
  });

  it("refuses an operationName the document does not have, naming it", async () => {
    const { status, result } = await run(document, "C");
    expect(status).toBe(400);
    expect(result.errors?.[0]?.message).toContain('"C"');
  });

  it("lets a resolvable operation through", async () => {
    expect((await run(document, "B")).result).toEqual({ data: { hello: "hi" } });
    expect((await run("{ hello }")).result).toEqual({ data: { hello: "hi" } });
  });
});
