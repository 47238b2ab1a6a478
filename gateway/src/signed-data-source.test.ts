import net from "node:net";
import { composeServices } from "@apollo/composition";
import { TEST_SECRET, capturingLogger } from "@pokewatch/kit/testing";
import { parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatewayApp } from "./gateway-app.js";

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query { hello: String }
`);

/** A subgraph that accepts connections, reads the request and never answers. */
let silent: net.Server;
let silentUrl: string;
const sockets = new Set<net.Socket>();
beforeAll(async () => {
  silent = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.resume();
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  silentUrl = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}/graphql`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

describe("SignedDataSource timeout", () => {
  it("answers SERVICE_UNAVAILABLE, naming the subgraph, when it accepts and never answers", async () => {
    const composed = composeServices([{ name: "probe", url: "http://unused.invalid/graphql", typeDefs }]);
    if (composed.errors) throw composed.errors[0];
    const { logger, lines } = capturingLogger();
    const app = await createGatewayApp({
      supergraphSdl: composed.supergraphSdl,
      secret: TEST_SECRET,
      auth: { enabled: false },
      logger,
      subgraphUrls: { probe: silentUrl },
      subgraphTimeoutMs: 300,
    });
    const started = Date.now();
    const response = await app.inject({
      method: "POST",
      url: "/graphql",
      headers: { "content-type": "application/json" },
      payload: { query: "{ hello }" },
    });
    // Without the bound, undici waits 300 s for the headers.
    expect(Date.now() - started).toBeLessThan(5_000);
    const body = response.json<{ data?: unknown; errors?: Array<{ extensions?: Record<string, unknown> }> }>();
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", serviceName: "probe" });
    expect(JSON.stringify(body)).not.toContain("127.0.0.1");
    expect(lines().some((line) => line.includes("did not answer within 300 ms (SUBGRAPH_TIMEOUT_MS)"))).toBe(true);
    await app.close();
  });
});
