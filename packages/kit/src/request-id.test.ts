import { describe, expect, it } from "vitest";
import { resolveRequestId } from "./request-id.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("resolveRequestId", () => {
  it.each(["req-123", "a", "01HZX.trace:span_9-A", "x".repeat(128)])("keeps the safe id %s", (id) => {
    expect(resolveRequestId(id)).toBe(id);
  });

  it.each([
    ["too long", "x".repeat(129)],
    ["with a space", "req 123"],
    ["with a newline", "req-123\nfake-log-line"],
    ["with a trailing newline", "req-123\n"],
    ["with quotes", 'req"123'],
    ["with a slash", "../etc/passwd"],
    ["non-ascii", "réq-123"],
    ["empty", ""],
  ])("replaces an id %s with a fresh uuid", (_label, id) => {
    const resolved = resolveRequestId(id);
    expect(resolved).not.toBe(id);
    expect(resolved).toMatch(UUID);
  });

  it("makes a fresh id when there is none, a different one each time", () => {
    const first = resolveRequestId(undefined);
    expect(first).toMatch(UUID);
    expect(resolveRequestId(undefined)).not.toBe(first);
  });

  it("takes the first of repeated headers", () => {
    expect(resolveRequestId(["first-id", "second-id"])).toBe("first-id");
    expect(resolveRequestId(["bad id", "second-id"])).toMatch(UUID);
    expect(resolveRequestId([])).toMatch(UUID);
  });
});
