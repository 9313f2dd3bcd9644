import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import Anthropic, { toFile } from "@anthropic-ai/sdk";
import { openObjectStore, type ObjectStore } from "@corral/bus";
import { createApiKey, openKeyBucket } from "@corral/gateway";
import { startTestStack, type TestStack } from "@corral/gateway/testing";
import { OBJECT_STORES } from "@corral/protocol";
import { freePort, spawnService, untilHealthy, waitFor } from "@corral/testing";

// The Files API through the official SDK, unchanged but for baseURL and apiKey, against NATS (users and
// permissions on), the session-store and the gateway. The gateway's clock is moved forward to expire files,
// never waited for.
const MAX_BYTES = 300_000;
let stack: TestStack;
let client: Anthropic;
let objects: ObjectStore;
let clockOffsetMs = 0;
// How long the tests wait for the sweep (every 200 ms here) to have removed something: a deadline for the
// outcome on a loaded host, where one sweep reads every record and object, not a measure of its speed.
const SWEPT_WITHIN_MS = 30_000;

beforeAll(async () => {
  stack = await startTestStack({
    files: {
      maxBytes: MAX_BYTES,
      sweepMs: 200,
      orphanGraceMs: 60_000,
      now: () => Date.now() + clockOffsetMs,
    },
  });
  client = new Anthropic({ apiKey: stack.gw.key, baseURL: stack.gw.url, maxRetries: 0 });
  objects = await openObjectStore(stack.bus, OBJECT_STORES.files);
});

afterAll(async () => {
  await stack?.close();
});

/** Everything the object store's stream holds: a refused upload must leave it as it was. */
async function storeState() {
  const { state } = await stack.bus.jsm.streams.info(`OBJ_${OBJECT_STORES.files}`);
  return { messages: state.messages, bytes: state.bytes, objects: (await objects.list()).length };
}

const listedIds = async () => {
  const ids: string[] = [];
  for await (const file of client.beta.files.list()) ids.push(file.id);
  return ids;
};

const statusOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 200,
    (error: unknown) => (error instanceof Anthropic.APIError ? error.status : error),
  );

test("upload, list, retrieve, download (the same bytes), delete, and then it is gone", async () => {
  const bytes = randomBytes(200_000); // two chunks of the object store
  const uploaded = await client.beta.files.upload({
    file: await toFile(bytes, "dir/notes.bin", { type: "application/octet-stream" }),
  });
  expect(uploaded).toMatchObject({
    type: "file",
    filename: "notes.bin",
    mime_type: "application/octet-stream",
    size_bytes: bytes.length,
    downloadable: true,
    expires_at: null,
  });
  expect(uploaded.id).toMatch(/^file_/);

  expect(await listedIds()).toContain(uploaded.id);
  expect(await client.beta.files.retrieveMetadata(uploaded.id)).toEqual(uploaded);
  const content = await client.beta.files.download(uploaded.id);
  expect(content.headers.get("content-type")).toBe("application/octet-stream");
  expect(Buffer.from(await content.arrayBuffer()).equals(bytes)).toBe(true);

  expect(await client.beta.files.delete(uploaded.id)).toEqual({ id: uploaded.id, type: "file_deleted" });
  expect(await statusOf(client.beta.files.retrieveMetadata(uploaded.id))).toBe(404);
  expect(await statusOf(client.beta.files.download(uploaded.id))).toBe(404);
  expect(await statusOf(client.beta.files.delete(uploaded.id))).toBe(404);
  expect(await listedIds()).not.toContain(uploaded.id);
  expect((await objects.list()).map((o) => o.key)).not.toContain(uploaded.id);
});

test("list pages through files newest first, by ids and by scope", async () => {
  const made = [];
  for (let i = 0; i < 3; i++)
    made.push(await client.beta.files.upload({ file: await toFile(Buffer.from(`file ${i}`), `f${i}.txt`) }));
  const first = await client.beta.files.list({ limit: 2 });
  expect(first.data.map((f) => f.id)).toEqual([made[2]!.id, made[1]!.id]);
  expect(first.next_page).not.toBeNull();
  const second = await client.beta.files.list({ limit: 2, page: first.next_page! });
  expect(second.data[0]!.id).toBe(made[0]!.id);
  const byIds = await client.beta.files.list({ ids: [made[0]!.id, made[2]!.id, "file_unknown"] });
  expect(byIds.data.map((f) => f.id).sort()).toEqual([made[0]!.id, made[2]!.id].sort());
  expect(byIds.next_page).toBeNull();
  // No session has written files yet: a scope lists none.
  expect((await client.beta.files.list({ scope_id: "sesn_none" })).data).toEqual([]);
  for (const f of made) await client.beta.files.delete(f.id);
});

describe("refused uploads store nothing", () => {
  test("a file over the limit is 413 request_too_large", async () => {
    const before = { state: await storeState(), ids: await listedIds() };
    const error = await client.beta.files
      .upload({ file: await toFile(randomBytes(MAX_BYTES + 100_000), "big.bin") })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(413);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: "error",
      error: { type: "request_too_large", message: expect.stringContaining(`${MAX_BYTES}`) },
    });
    expect(await listedIds()).toEqual(before.ids);
    expect(await storeState()).toEqual(before.state);
  });

  test("expires_in_seconds outside one hour to ninety days, or not a number, is 400", async () => {
    const before = { state: await storeState(), ids: await listedIds() };
    for (const expires of [60, 3599, 7_776_001, 1.5]) {
      const status = await statusOf(
        client.beta.files.upload({
          file: await toFile(Buffer.from("x"), "a.txt"),
          expires_in_seconds: expires,
        }),
      );
      expect(status).toBe(400);
    }
    const form = new FormData();
    form.append("file", new Blob(["x"]), "a.txt");
    form.append("expires_in_seconds", "soon");
    expect((await post(form)).status).toBe(400);
    expect(await listedIds()).toEqual(before.ids);
    expect(await storeState()).toEqual(before.state);
  });

  test("an unknown field, a second file, no file or a JSON body is 400 naming what is wrong", async () => {
    const before = { state: await storeState(), ids: await listedIds() };
    const unknown = new FormData();
    unknown.append("file", new Blob(["x"]), "a.txt");
    unknown.append("purpose", "assistants");
    const res = await post(unknown);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'body: unknown or unsupported field "purpose"',
    );
    const two = new FormData();
    two.append("file", new Blob(["x"]), "a.txt");
    two.append("file", new Blob(["y"]), "b.txt");
    expect((await post(two)).status).toBe(400);
    const none = new FormData();
    none.append("expires_in_seconds", "3600");
    expect((await post(none)).status).toBe(400);
    const asJson = await fetch(`${stack.gw.url}/v1/files`, {
      method: "POST",
      headers: { "x-api-key": stack.gw.key, "content-type": "application/json" },
      body: JSON.stringify({ file: "x" }),
    });
    expect(asJson.status).toBe(400);
    expect(await listedIds()).toEqual(before.ids);
    expect(await storeState()).toEqual(before.state);
  });

  test("an upload whose client goes away mid-body leaves nothing behind", async () => {
    const before = await storeState();
    const upload = startUpload(150_000);
    // Some of its bytes reached the store before the client went away.
    await waitFor(async () => (await storeState()).messages > before.messages, { timeoutMs: 10_000 });
    upload.destroy();
    await waitFor(async () => JSON.stringify(await storeState()) === JSON.stringify(before), {
      timeoutMs: 10_000,
    });
  });
});

test("expiry: the file is 404 once its time is up, and the sweep removes the bytes of files nobody reads", async () => {
  const read = await client.beta.files.upload({
    file: await toFile(Buffer.from("short-lived"), "a.txt", { type: "text/plain" }),
    expires_in_seconds: 3600,
  });
  expect(Date.parse(read.expires_at!) - Date.parse(read.created_at)).toBe(3600_000);
  const unread = await client.beta.files.upload({
    file: await toFile(Buffer.from("forgotten"), "b.txt"),
    expires_in_seconds: 3600,
  });
  const lasting = await client.beta.files.upload({ file: await toFile(Buffer.from("kept"), "c.txt") });
  expect(await client.beta.files.retrieveMetadata(read.id)).toMatchObject({ mime_type: "text/plain" });

  clockOffsetMs = 3601_000;
  try {
    expect(await statusOf(client.beta.files.retrieveMetadata(read.id))).toBe(404);
    expect(await statusOf(client.beta.files.download(read.id))).toBe(404);
    expect(await listedIds()).not.toContain(unread.id);
    const keys = async () => (await objects.list()).map((o) => o.key);
    await waitFor(async () => !(await keys()).includes(unread.id) && !(await keys()).includes(read.id), {
      timeoutMs: SWEPT_WITHIN_MS,
    });
    expect(await keys()).toContain(lasting.id);
    expect(await client.beta.files.retrieveMetadata(lasting.id)).toEqual(lasting);
  } finally {
    clockOffsetMs = 0;
  }
  await client.beta.files.delete(lasting.id);
});

test("a gateway SIGKILLed mid-upload leaves no file, and the sweep removes what it wrote and bytes without a record", async () => {
  const before = await storeState();
  const ids = await listedIds();
  const port = await freePort();
  const killed = spawnService("gateway", { NATS_URL: stack.nats.url, GATEWAY_PORT: String(port) });
  try {
    await untilHealthy(`http://127.0.0.1:${port}`);
    startUpload(400_000, `http://127.0.0.1:${port}`);
    await waitFor(async () => (await storeState()).messages > before.messages, { timeoutMs: 10_000 });
  } finally {
    await killed.kill("SIGKILL");
  }
  // Bytes a gateway stored but whose record it never wrote.
  await objects.put("file_orphan", new Blob(["no record"]).stream());
  expect(await listedIds()).toEqual(ids);
  expect((await storeState()).messages).toBeGreaterThan(before.messages);

  clockOffsetMs = 120_000; // past the orphan grace (60 s here): an upload in flight is never that old
  try {
    await waitFor(async () => JSON.stringify(await storeState()) === JSON.stringify(before), {
      timeoutMs: SWEPT_WITHIN_MS,
    });
  } finally {
    clockOffsetMs = 0;
  }
  expect(await listedIds()).toEqual(ids);
});

test("another workspace's file is 404 everywhere and never listed", async () => {
  const mine = await client.beta.files.upload({ file: await toFile(Buffer.from("mine"), "m.txt") });
  const { key } = await createApiKey(await openKeyBucket(stack.bus), "other", { workspace: "ws-files" });
  const other = new Anthropic({ apiKey: key, baseURL: stack.gw.url, maxRetries: 0 });
  expect(await statusOf(other.beta.files.retrieveMetadata(mine.id))).toBe(404);
  expect(await statusOf(other.beta.files.download(mine.id))).toBe(404);
  expect(await statusOf(other.beta.files.delete(mine.id))).toBe(404);
  expect((await other.beta.files.list()).data).toEqual([]);
  expect(await client.beta.files.retrieveMetadata(mine.id)).toEqual(mine);
  await client.beta.files.delete(mine.id);
});

test("a read-only key may list, retrieve and download, but not upload or delete", async () => {
  const file = await client.beta.files.upload({ file: await toFile(Buffer.from("shared"), "s.txt") });
  const { key } = await createApiKey(await openKeyBucket(stack.bus), "reader", { scope: "read_only" });
  const reader = new Anthropic({ apiKey: key, baseURL: stack.gw.url, maxRetries: 0 });
  expect(await reader.beta.files.retrieveMetadata(file.id)).toEqual(file);
  expect(await (await reader.beta.files.download(file.id)).text()).toBe("shared");
  expect((await reader.beta.files.list({ ids: [file.id] })).data).toEqual([file]);
  expect(await statusOf(reader.beta.files.upload({ file: await toFile(Buffer.from("x"), "x.txt") }))).toBe(
    403,
  );
  expect(await statusOf(reader.beta.files.delete(file.id))).toBe(403);
  await client.beta.files.delete(file.id);
});

test("the OpenAPI document lists the Files API", async () => {
  const doc = (await (await fetch(`${stack.gw.url}/v1/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { operationId: string }>>;
  };
  expect(doc.paths["/v1/files"]?.post?.operationId).toBe("files.upload");
  expect(doc.paths["/v1/files"]?.get?.operationId).toBe("files.list");
  expect(doc.paths["/v1/files/{file_id}"]?.get?.operationId).toBe("files.retrieveMetadata");
  expect(doc.paths["/v1/files/{file_id}"]?.delete?.operationId).toBe("files.delete");
  expect(doc.paths["/v1/files/{file_id}/content"]?.get?.operationId).toBe("files.download");
  expect(doc.paths["/v1/agents"]).toBeDefined();
});

test("queries are validated: unknown parameters, bad ids, ids with a page", async () => {
  const get = (path: string) => fetch(`${stack.gw.url}${path}`, { headers: { "x-api-key": stack.gw.key } });
  expect((await get("/v1/files?purpose=x")).status).toBe(400);
  expect((await get("/v1/files/not-a-file-id")).status).toBe(400);
  expect((await get("/v1/files/file_abc?x=1")).status).toBe(400);
  expect((await get("/v1/files?ids[]=file_a&limit=2")).status).toBe(400);
  expect((await get("/v1/files?limit=1001")).status).toBe(400);
  const noKey = await fetch(`${stack.gw.url}/v1/files`);
  expect(noKey.status).toBe(401);
});

const post = (form: FormData) =>
  fetch(`${stack.gw.url}/v1/files`, { method: "POST", headers: { "x-api-key": stack.gw.key }, body: form });

/** Sends the start of a multipart upload and never its end; the caller destroys the socket. */
function startUpload(sendBytes: number, base = stack.gw.url): { destroy(): void } {
  const url = new URL(`${base}/v1/files`);
  const boundary = "corral-aborted-upload";
  const req = httpRequest({
    host: url.hostname,
    port: url.port,
    path: url.pathname,
    method: "POST",
    headers: {
      "x-api-key": stack.gw.key,
      "content-type": `multipart/form-data; boundary=${boundary}`,
      "content-length": String(sendBytes * 2),
    },
  });
  req.on("error", () => undefined);
  req.write(
    `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="cut.bin"\r\n` +
      `content-type: application/octet-stream\r\n\r\n`,
  );
  req.write(randomBytes(sendBytes));
  return { destroy: () => req.destroy() };
}
