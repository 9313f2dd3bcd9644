import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { afterAll, beforeAll, expect, test } from "vitest";
import { freePort, spawnService, untilHealthy } from "@corral/testing";
import { serveConsole } from "./console-files.js";
import { startTestStack, type TestStack } from "./testing.js";

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

test("the console is served at / without a key, under a strict CSP, with no inline script", async () => {
  const res = await fetch(`${stack.gw.url}/`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
  const csp = res.headers.get("content-security-policy") ?? "";
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain("unsafe-inline");
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  const html = await res.text();
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toMatch(/\ssrc="\/assets\/[^"]+\.js"/);
  expect(html).not.toMatch(/https?:\/\//);

  const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
  const js = await fetch(`${stack.gw.url}${script}`);
  expect(js.status).toBe(200);
  expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
  expect(js.headers.get("cache-control")).toContain("immutable");
  const css = /href="(\/assets\/[^"]+\.css)"/.exec(html)![1]!;
  expect((await fetch(`${stack.gw.url}${css}`)).headers.get("content-type")).toBe("text/css; charset=utf-8");
});

test("only the console's files skip the key: the API, unknown assets and odd paths do not", async () => {
  expect((await fetch(`${stack.gw.url}/v1/agents`)).status).toBe(401);
  expect((await fetch(`${stack.gw.url}/assets/missing-0000.js`)).status).toBe(404);
  expect((await fetch(`${stack.gw.url}/assets/%2e%2e%2fpackage.json`)).status).toBe(401);
  expect((await fetch(`${stack.gw.url}/console.html`)).status).toBe(401);
  const withKey = await fetch(`${stack.gw.url}/v1/agents`, { headers: { "x-api-key": stack.gw.key } });
  expect(withKey.status).toBe(200);
});

test("a gateway without the console's build answers / with 503 saying how to build it", async () => {
  const empty = await mkdtemp(join(tmpdir(), "console-missing-"));
  const app = Fastify();
  serveConsole(app, join(empty, "dist"));
  try {
    const res = await app.inject({ method: "GET", url: "/" });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain("npm run build");
    expect((await app.inject({ method: "GET", url: "/assets/index-1.js" })).statusCode).toBe(404);
  } finally {
    await app.close();
    await rm(empty, { recursive: true, force: true });
  }
});

test("the compiled gateway (dist/main.mjs) finds the console's build beside it", async () => {
  const port = await freePort();
  const gateway = spawnService("gateway", { NATS_URL: stack.nats.url, GATEWAY_PORT: String(port) });
  try {
    const url = `http://127.0.0.1:${port}`;
    await untilHealthy(url);
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="root">');
  } finally {
    await gateway.kill();
  }
});
