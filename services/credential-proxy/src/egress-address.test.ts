import { describe, expect, test } from "vitest";
import { networkInterfaces } from "node:os";
import { addressRefusal, nonPublicRange, parseAllowList, NO_ALLOWED_ADDRESSES } from "./egress-address.js";
import { egressAllowed, targetMatches, credentialAllowsTarget } from "./egress-policy.js";
import type { CredentialRecord } from "@corral/protocol";

describe("address classification", () => {
  test.each([
    ["127.0.0.1", "loopback"],
    ["127.8.9.10", "loopback"],
    ["::1", "loopback"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["::", "unspecified"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "linkLocal"],
    ["fe80::1", "linkLocal"],
    ["fd00:ec2::254", "uniqueLocal"],
    ["fc00::1", "uniqueLocal"],
    ["100.64.0.1", "carrierGradeNat"],
    ["100.100.100.200", "carrierGradeNat"],
    ["192.0.2.1", "reserved"],
    ["198.51.100.7", "reserved"],
    ["203.0.113.9", "reserved"],
    ["198.18.0.1", "reserved"],
    ["198.19.255.1", "reserved"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "broadcast"],
    ["224.0.0.1", "multicast"],
    ["ff02::1", "multicast"],
    ["64:ff9b::7f00:1", "rfc6052"],
    ["64:ff9b::808:808", "rfc6052"],
    ["2002:7f00:1::", "6to4"],
    ["2002:a00:1::", "6to4"],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "teredo"],
    ["2001:db8::1", "reserved"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:169.254.169.254", "linkLocal"],
    ["::ffff:10.0.0.1", "private"],
    ["not-an-address", "invalid"],
  ])("%s is not public (%s)", (address, range) => {
    expect(nonPublicRange(address)).toBe(range);
    expect(addressRefusal(NO_ALLOWED_ADDRESSES, address, 443)).toContain("not a public address");
  });

  // Finding 9: every IPv4 address used to count as internal (an IPv4-mapped rule matched them all).
  test.each(["8.8.8.8", "1.1.1.1", "93.184.215.14", "::ffff:8.8.8.8", "2606:4700:4700::1111"])(
    "%s is public",
    (address) => {
      expect(nonPublicRange(address)).toBeNull();
      expect(addressRefusal(NO_ALLOWED_ADDRESSES, address, 443)).toBeNull();
    },
  );

  test("the host's own addresses are refused, whatever their range", () => {
    const own = Object.values(networkInterfaces())
      .flat()
      .map((i) => i!.address.replace(/%.*$/, ""));
    expect(own.length).toBeGreaterThan(0);
    for (const address of own) expect(nonPublicRange(address)).not.toBeNull();
  });
});

describe("the operator's allow list", () => {
  const allow = parseAllowList("127.0.0.1:8443, 10.9.0.0/16 [::1]:9000");

  test("opens exactly the named address, port or range", () => {
    expect(addressRefusal(allow, "127.0.0.1", 8443)).toBeNull();
    expect(addressRefusal(allow, "::ffff:127.0.0.1", 8443)).toBeNull();
    expect(addressRefusal(allow, "127.0.0.1", 4222)).not.toBeNull();
    expect(addressRefusal(allow, "127.0.0.2", 8443)).not.toBeNull();
    expect(addressRefusal(allow, "10.9.3.4", 1)).toBeNull();
    expect(addressRefusal(allow, "10.10.0.1", 80)).not.toBeNull();
    expect(addressRefusal(allow, "::1", 9000)).toBeNull();
    expect(addressRefusal(allow, "::1", 9001)).not.toBeNull();
    expect(addressRefusal(allow, "169.254.169.254", 80)).not.toBeNull();
  });

  test("a malformed entry is an error at start", () => {
    expect(() => parseAllowList("localhost")).toThrow(/EGRESS_ALLOW_ADDRESSES/);
    expect(() => parseAllowList("10.0.0.0/99")).toThrow(/EGRESS_ALLOW_ADDRESSES/);
  });
});

describe("allowed_hosts", () => {
  test("an entry with a port matches that port alone; a bare name only 80 and 443", () => {
    expect(targetMatches("localhost:8443", "localhost", 8443)).toBe(true);
    expect(targetMatches("localhost:8443", "localhost", 4222)).toBe(false);
    expect(targetMatches("localhost", "localhost", 4222)).toBe(false);
    expect(targetMatches("localhost", "localhost", 443)).toBe(true);
    expect(targetMatches("localhost", "localhost", 80)).toBe(true);
    expect(targetMatches("*.example.com", "api.example.com", 443)).toBe(true);
    expect(targetMatches("*.example.com", "api.example.com", 8080)).toBe(false);
    expect(targetMatches("*.example.com:8080", "api.example.com", 8080)).toBe(true);
    const limited = { type: "limited", allowed_hosts: ["localhost"] } as never;
    expect(egressAllowed(limited, "localhost", 4222)).toMatchObject({ ok: false });
  });

  test("a secret goes over TLS only, to its credential's hosts and ports (443 for a bare name)", () => {
    const record = (allowed_hosts: string[] | null) =>
      ({
        auth: {
          type: "environment_variable",
          networking: allowed_hosts ? { type: "limited", allowed_hosts } : { type: "unrestricted" },
        },
      }) as unknown as CredentialRecord;
    const to = (protocol: "http:" | "https:", host: string, port: number) => ({ protocol, host, port });
    expect(credentialAllowsTarget(record(["api.x.com"]), to("https:", "api.x.com", 443))).toBe(true);
    expect(credentialAllowsTarget(record(["api.x.com"]), to("http:", "api.x.com", 80))).toBe(false);
    expect(credentialAllowsTarget(record(["api.x.com"]), to("https:", "api.x.com", 8443))).toBe(false);
    expect(credentialAllowsTarget(record(["api.x.com:8443"]), to("https:", "api.x.com", 8443))).toBe(true);
    expect(credentialAllowsTarget(record(null), to("https:", "any.y.com", 443))).toBe(true);
    expect(credentialAllowsTarget(record(null), to("https:", "any.y.com", 4222))).toBe(false);
    expect(credentialAllowsTarget(record(null), to("http:", "any.y.com", 80))).toBe(false);
  });
});
