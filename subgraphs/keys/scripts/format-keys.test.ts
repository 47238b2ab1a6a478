import { describe, expect, it } from "vitest";
import type { ApiKeyRecord } from "../src/keys/api-key-store.js";
import { describeKey, keyTable, printable } from "./format-keys.js";

const key = (name: string): ApiKeyRecord => ({
  id: "key_1",
  name,
  prefix: "pw_live_",
  maskedKey: "pw_live_…abcd",
  scopes: ["prices:read"],
  status: "ACTIVE",
  createdAt: new Date("2026-12-01T00:00:00Z"),
  expiresAt: null,
  revokedAt: null,
  lastUsedAt: null,
  rateLimitPerMinute: 60,
});

describe("pnpm keys output", () => {
  it("shows control, line-separator and bidirectional characters as escapes", () => {
    expect(printable("job\u001b[2J\r\nkey_fake\u0085\u2028\u202egpj")).toBe(
      "job\\u{1b}[2J\\u{d}\\u{a}key_fake\\u{85}\\u{2028}\\u{202e}gpj",
    );
    expect(printable("Café ✓ 価格")).toBe("Café ✓ 価格");
  });

  it("never prints a stored name's escape sequences raw, in the table or the description", () => {
    // Names stored before they were refused, or written straight to the table.
    const hostile = key("ok\u001b[1A\u001b[2Kkey_admin  admin  ACTIVE\nsecond line");
    for (const text of [keyTable([hostile]), describeKey(hostile)]) {
      const controls = [...text].filter((char) => char !== "\n" && /\p{Cc}/u.test(char));
      expect(controls).toEqual([]);
      expect(text).toContain("ok\\u{1b}[1A\\u{1b}[2Kkey_admin  admin  ACTIVE\\u{a}second line");
    }
    expect(keyTable([hostile]).split("\n")).toHaveLength(2); // the header and one row
  });
});
