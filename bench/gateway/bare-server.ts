import { createServer, type ServerResponse } from "node:http";

// The fan-out floor: a bare node:http server in its own process that holds SSE responses and, when the
// bench asks over IPC, writes one frame to every one of them in a loop (as the gateway's feed does), with
// nothing else on its event loop. It answers with its port once listening.
// Parent → child: {type: "send", text}. Child → parent: {type: "port", port}.
const open = new Set<ServerResponse>();

const server = createServer((req, res) => {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  res.flushHeaders();
  open.add(res);
  res.once("close", () => open.delete(res));
});

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.send!({ type: "port", port: typeof address === "object" && address ? address.port : 0 });
});

process.on("message", (command: { type: "send"; text: string }) => {
  for (const res of open) res.write(command.text);
});
process.on("disconnect", () => {
  for (const res of open) res.destroy();
  server.close();
  process.exit(0);
});
