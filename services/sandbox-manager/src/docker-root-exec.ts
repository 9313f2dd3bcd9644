import type Docker from "dockerode";
import { PassThrough, type Duplex } from "node:stream";
import type { ExecResult, RootExecIo } from "./sandbox-runtime.js";

/** Output kept from a root exec: enough for an error message or a file listing, never unbounded. */
const OUTPUT_MAX_BYTES = 1 << 20;

function collect(stream: PassThrough, into: { text: string }) {
  stream.on("data", (d: Buffer) => {
    if (into.text.length < OUTPUT_MAX_BYTES) into.text += d.toString();
  });
}

/**
 * One `docker exec` as root inside the sandbox (still without capabilities): what Corral itself places in
 * it (mounted files, the outputs folder), where the sandbox user cannot write. `stdin` is streamed, so a
 * large file is never whole in memory; `onStdout` receives raw bytes when the caller reads a file out.
 */
export async function dockerRootExec(
  docker: Docker,
  containerId: string,
  cmd: string[],
  io: RootExecIo,
): Promise<ExecResult> {
  const execution = await docker.getContainer(containerId).exec({
    Cmd: ["timeout", "-s", "KILL", `${Math.ceil(io.timeoutMs / 1000)}`, ...cmd],
    AttachStdin: Boolean(io.stdin),
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    User: io.asSandboxUser ? "1000:1000" : "0:0",
    WorkingDir: "/",
  });
  const stream = (await execution.start({ hijack: true, stdin: Boolean(io.stdin) })) as unknown as Duplex;
  const stdout = { text: "" };
  const stderr = { text: "" };
  const out = new PassThrough();
  const err = new PassThrough();
  if (io.onStdout) out.on("data", io.onStdout);
  else collect(out, stdout);
  collect(err, stderr);
  docker.modem.demuxStream(stream, out, err);
  const ended = new Promise<void>((resolve) => {
    stream.on("end", resolve);
    stream.on("close", resolve);
  });
  if (io.stdin) {
    for await (const chunk of io.stdin)
      if (!stream.write(chunk)) await new Promise((r) => stream.once("drain", r));
    stream.end();
  }
  await ended;
  let info = await execution.inspect();
  while (info.Running) info = await execution.inspect();
  return { code: info.ExitCode ?? -1, stdout: stdout.text, stderr: stderr.text };
}

/** A text as an exec's stdin. */
export async function* textInput(text: string): AsyncIterable<Uint8Array> {
  yield Buffer.from(text);
}
