import { connect, type Socket } from "node:net";
import type { Target } from "./egress-target.js";

/** HTTPS the proxy does not look into: bytes both ways between the sandbox and the checked address. */
export function blindTunnel(client: Socket, head: Buffer, target: Target): void {
  const upstream = connect(target.port, target.address);
  upstream.on("connect", () => {
    client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (head.length) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on("error", () => {
    if (client.writable) client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
    client.destroy();
  });
  client.on("close", () => upstream.destroy());
}
