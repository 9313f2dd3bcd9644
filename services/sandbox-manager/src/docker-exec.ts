import type Docker from "dockerode";
import { PassThrough, type Duplex } from "node:stream";
import type { ExecResult } from "./sandbox-runtime.js";

/** One `docker exec` as the sandbox user, killed at `timeoutMs`; both streams collected. */
export async function dockerExec(
  docker: Docker,
  containerId: string,
  cmd: string[],
  stdin: string | null,
  timeoutMs: number,
): Promise<ExecResult> {
  const execution = await docker.getContainer(containerId).exec({
    Cmd: ["timeout", "-s", "KILL", `${Math.ceil(timeoutMs / 1000)}`, ...cmd],
    AttachStdin: stdin !== null,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    User: "1000:1000",
    WorkingDir: "/workspace",
  });
  const stream = (await execution.start({ hijack: true, stdin: stdin !== null })) as unknown as Duplex;
  const output = { stdout: "", stderr: "" };
  const out = new PassThrough();
  const err = new PassThrough();
  out.on("data", (d: Buffer) => (output.stdout += d.toString()));
  err.on("data", (d: Buffer) => (output.stderr += d.toString()));
  docker.modem.demuxStream(stream, out, err);
  if (stdin !== null) stream.end(stdin);
  await new Promise<void>((resolve) => {
    stream.on("end", resolve);
    stream.on("close", resolve);
  });
  let info = await execution.inspect();
  while (info.Running) info = await execution.inspect();
  return { code: info.ExitCode ?? -1, ...output };
}
