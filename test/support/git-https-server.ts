import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A real git smart-HTTP server on loopback: `git http-backend` behind HTTPS that wants one token. */
export interface GitHttpsServer {
  port: number;
  /** The repository's URL as a client names it (`https://localhost:<port>/repo.git`). */
  url: string;
  /** The first commit (README "first version") and the branch head after it (README "second version"). */
  firstSha: string;
  headSha: string;
  /** Every request: its path and whether it carried the expected token. */
  seen: { path: string; authorized: boolean; authorization: string | undefined }[];
  close(): void;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@t",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@t",
    },
  }).trim();

/** A bare repository `repo.git` under a new root with two commits on `main`. */
function makeRepository(): { root: string; firstSha: string; headSha: string } {
  const work = mkdtempSync(join(tmpdir(), "corral-git-work-"));
  const root = mkdtempSync(join(tmpdir(), "corral-git-root-"));
  git(work, "init", "-q", "-b", "main");
  writeFileSync(join(work, "README.md"), "first version\n");
  git(work, "add", "README.md");
  git(work, "commit", "-q", "-m", "first");
  const firstSha = git(work, "rev-parse", "HEAD");
  writeFileSync(join(work, "README.md"), "second version\n");
  git(work, "commit", "-q", "-am", "second");
  const headSha = git(work, "rev-parse", "HEAD");
  git(root, "clone", "-q", "--bare", work, "repo.git");
  return { root, firstSha, headSha };
}

/** Runs `git http-backend` as CGI for one request and relays its answer. */
function cgi(root: string, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "https://localhost");
  const child = spawn("git", ["http-backend"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: url.pathname,
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: req.method ?? "GET",
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      REMOTE_USER: "tester",
      ...(req.headers["content-encoding"] && {
        HTTP_CONTENT_ENCODING: String(req.headers["content-encoding"]),
      }),
      ...(req.headers["git-protocol"] && { GIT_PROTOCOL: String(req.headers["git-protocol"]) }),
    },
  });
  req.pipe(child.stdin);
  let head = Buffer.alloc(0);
  let started = false;
  child.stdout.on("data", (chunk: Buffer) => {
    if (started) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) return;
    started = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString().split("\r\n")) {
      const [name = "", ...rest] = line.split(":");
      const value = rest.join(":").trim();
      if (name.toLowerCase() === "status") status = Number(value.split(" ")[0]);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
  });
  child.on("close", () => res.end());
  child.on("error", () => res.writeHead(500).end());
}

/** Starts the server with a certificate from `tls` for `localhost`; only Basic `x-access-token:<token>` gets in. */
export async function startGitHttpsServer(tls: { keyPem: string; certPem: string }, token: string) {
  const { root, firstSha, headSha } = makeRepository();
  const expected = `Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
  const seen: GitHttpsServer["seen"] = [];
  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    const authorized = req.headers.authorization === expected;
    seen.push({ path: req.url ?? "", authorized, authorization: req.headers.authorization });
    if (!authorized) return void res.writeHead(401, { "www-authenticate": 'Basic realm="git"' }).end();
    cgi(root, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `https://localhost:${port}/repo.git`;
  return { port, url, firstSha, headSha, seen, close: () => server.close() } satisfies GitHttpsServer;
}
