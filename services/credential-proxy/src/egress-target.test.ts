import { expect, test } from "vitest";
import type { NetworkingConfig } from "@corral/protocol";
import { resolveTarget } from "./egress-target.js";
import { NO_ALLOWED_ADDRESSES, parseAllowList } from "./egress-address.js";
import { Refusal } from "./refusal.js";

const unrestricted = { type: "unrestricted" } as const;
const to = (host: string, port: number) => ({ protocol: "http:" as const, host, port });

test("a name is judged by the address it resolves to, and that address is the one returned to connect to", async () => {
  const refused = await resolveTarget(unrestricted, NO_ALLOWED_ADDRESSES, to("localhost", 4222)).catch(
    (e: unknown) => e,
  );
  expect(refused).toBeInstanceOf(Refusal);
  expect((refused as Refusal).status).toBe(403);
  expect((refused as Refusal).message).toContain("not a public address (loopback)");
  const allow = parseAllowList("127.0.0.1:8080");
  expect(await resolveTarget(unrestricted, allow, to("localhost", 8080))).toMatchObject({
    host: "localhost",
    port: 8080,
    address: "127.0.0.1",
  });
  await expect(resolveTarget(unrestricted, allow, to("localhost", 8081))).rejects.toThrow(/not a public/);
});

test("a public address passes under unrestricted networking, and limited networking checks the port", async () => {
  // An address literal resolves to itself without DNS: no internet is needed to see the decision.
  expect(await resolveTarget(unrestricted, NO_ALLOWED_ADDRESSES, to("8.8.8.8", 53))).toMatchObject({
    address: "8.8.8.8",
  });
  const limited: NetworkingConfig = {
    type: "limited",
    allowed_hosts: ["8.8.8.8"],
    allow_package_managers: false,
    allow_mcp_servers: false,
  };
  expect(await resolveTarget(limited, NO_ALLOWED_ADDRESSES, to("8.8.8.8", 443))).toMatchObject({
    address: "8.8.8.8",
  });
  await expect(resolveTarget(limited, NO_ALLOWED_ADDRESSES, to("8.8.8.8", 53))).rejects.toThrow(
    /not in the environment's allowed_hosts/,
  );
});
