import { createServer } from "node:http";
import { connect } from "node:net";
import { expect, test } from "vitest";
import { testLogger } from "@corral/testing";
import { egressListeners } from "./egress-listen.js";

/** A scan of the host's bridges that counts its runs and takes a moment, like spawning `ip`. */
function countingScan(addresses: string[]) {
  let runs = 0;
  const scan = async () => {
    runs++;
    await new Promise((resolve) => setTimeout(resolve, 30));
    return [...addresses];
  };
  return { scan, runs: () => runs };
}

test("a burst of egress configs shares one or two looks at the bridges, and every address is listened on", async () => {
  const http = createServer();
  const addresses = ["127.0.0.1"];
  const { scan, runs } = countingScan(addresses);
  const listeners = egressListeners(http, { hosts: null, port: 0 }, testLogger("egress-listen-test"), scan);
  try {
    const ports = await Promise.all(Array.from({ length: 40 }, () => listeners.ensure()));
    expect(new Set(ports).size).toBe(1);
    expect(runs()).toBeLessThanOrEqual(2);
    // A bridge made after a look began is found by a later ask, on the same port.
    addresses.push("127.0.0.2");
    const before = runs();
    const port = await listeners.ensure();
    expect(runs()).toBe(before + 1);
    expect(port).toBe(ports[0]);
    const socket = connect(port, "127.0.0.2");
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    socket.destroy();
  } finally {
    await listeners.close();
  }
});
