import { afterAll, describe, expect, it } from "vitest";
import { silentLogger } from "../testing/loggers.js";
import { createHttpApp, listen } from "./http-app.js";

const app = createHttpApp({ logger: silentLogger(), maxBodyBytes: 64 });
app.post("/echo", (request, reply) => reply.send(request.body));
afterAll(() => app.close());

describe("createHttpApp", () => {
  it("answers unknown routes with a GraphQL-shaped NOT_FOUND", async () => {
    const response = await app.inject({ method: "GET", url: "/nope" });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ errors: [{ message: "No route GET /nope", extensions: { code: "NOT_FOUND" } }] });
  });

  it("refuses a body over the limit with 413 and a coded error", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ padding: "x".repeat(100) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ errors: [{ extensions: { code: "BAD_REQUEST" } }] });
  });

  it("refuses malformed JSON with 400, not 500", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "application/json" },
      payload: "{",
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errors: [{ extensions: { code: "BAD_REQUEST" } }] });
  });

  it("names the port when it is already taken", async () => {
    const first = await listen(createHttpApp({ logger: silentLogger() }), { host: "127.0.0.1", port: 0 });
    const second = createHttpApp({ logger: silentLogger() });
    await expect(listen(second, { host: "127.0.0.1", port: first.port })).rejects.toThrow(
      `port ${first.port} on 127.0.0.1 is already in use`,
    );
    await second.close();
    await first.close();
  });
});
