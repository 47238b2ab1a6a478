import { describe, expect, it } from "vitest";
import { clientBucketOf } from "./client-address.js";

describe("clientBucketOf", () => {
  it("keeps an IPv4 address, and unwraps an IPv4-mapped IPv6 one", () => {
    expect(clientBucketOf("203.0.113.7")).toBe("203.0.113.7");
    expect(clientBucketOf("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(clientBucketOf("::ffff:cb00:7107")).toBe("203.0.113.7");
  });

  it("counts an IPv6 address by its /64, however it is written", () => {
    expect(clientBucketOf("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(clientBucketOf("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(clientBucketOf("2001:0db8:0001:0002:0000:0000:0000:0009")).toBe("2001:db8:1:2::/64");
    expect(clientBucketOf("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientBucketOf("::1")).toBe("0:0:0:0::/64");
    expect(clientBucketOf("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(clientBucketOf("2001:db8:1:3::1")).not.toBe(clientBucketOf("2001:db8:1:2::1"));
  });

  it("puts what is not an address in one bucket", () => {
    expect(clientBucketOf(undefined)).toBe("unknown");
    expect(clientBucketOf("")).toBe("unknown");
    expect(clientBucketOf("not-an-ip")).toBe("unknown");
  });
});
