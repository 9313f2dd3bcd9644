import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import Anthropic from "@anthropic-ai/sdk";
import { createApiKey, openKeyBucket } from "@corral/gateway";
import { startTestStack, type TestStack } from "@corral/gateway/testing";
import { startStore, type StoreHarness } from "@corral/session-store/testing";
import { busConfigFor } from "@corral/testing";
import { connectBus, request, type Bus } from "@corral/bus";
import { MEMORY_RPC, isCorralError, type SessionId } from "@corral/protocol";

// Memory stores, memories and memory versions through the official SDK (unchanged but for baseURL and apiKey)
// against NATS, two session-store replicas and the gateway; the sandbox-manager's two RPCs on its own user.
let stack: TestStack;
let second: StoreHarness;
let client: Anthropic;
let sandboxBus: Bus;

beforeAll(async () => {
  stack = await startTestStack();
  second = await startStore(stack.nats.url, { taskIntake: false });
  client = new Anthropic({ apiKey: stack.gw.key, baseURL: stack.gw.url, maxRetries: 0 });
  sandboxBus = await connectBus(busConfigFor(stack.nats.url, "sandbox-manager"));
});

afterAll(async () => {
  await sandboxBus?.close();
  await second?.close();
  await stack?.close();
});

const stores = () => client.beta.memoryStores;
const sha = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
let seq = 0;
const newStore = (over: Partial<Anthropic.Beta.MemoryStores.MemoryStoreCreateParams> = {}) =>
  stores().create({ name: `store ${++seq}`, ...over });

async function all<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of pages) items.push(item);
  return items;
}

/** The API error a request failed with: its HTTP status and its error object. */
async function failure(
  promise: Promise<unknown>,
): Promise<{ status: number; error: Record<string, string> }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Anthropic.APIError);
  const api = error as InstanceType<typeof Anthropic.APIError>;
  return { status: api.status ?? 0, error: (api.error as { error: Record<string, string> }).error };
}

const paths = async (storeId: string) =>
  (await all(stores().memories.list(storeId))).map((m) => (m as { path: string }).path).sort();

describe("memory stores", () => {
  test("create, retrieve, update with a metadata patch, list with filters, archive and delete", async () => {
    const store = await newStore({ description: "what we know", metadata: { team: "core", old: "x" } });
    expect(store).toMatchObject({ type: "memory_store", description: "what we know", archived_at: null });
    expect(store.id).toMatch(/^memstore_/);
    expect(await stores().retrieve(store.id)).toEqual(store);

    const updated = await stores().update(store.id, {
      name: "renamed",
      metadata: { old: null, owner: "ada" },
    });
    expect(updated).toMatchObject({ name: "renamed", description: "what we know" });
    expect(updated.metadata).toEqual({ team: "core", owner: "ada" });

    const later = await newStore();
    const since = await all(stores().list({ "created_at[gte]": later.created_at }));
    expect(since.map((s) => s.id)).toContain(later.id);
    expect(since.map((s) => s.id)).not.toContain(store.id);

    const archived = await stores().archive(store.id);
    expect(archived.archived_at).not.toBeNull();
    expect((await all(stores().list())).map((s) => s.id)).not.toContain(store.id);
    expect((await all(stores().list({ include_archived: true }))).map((s) => s.id)).toContain(store.id);

    expect(await stores().delete(store.id)).toEqual({ id: store.id, type: "memory_store_deleted" });
    expect((await failure(stores().retrieve(store.id))).status).toBe(404);
  });

  test("a store is its workspace's alone: another workspace's key finds, lists and changes nothing of it", async () => {
    const store = await newStore();
    const memory = await stores().memories.create(store.id, { path: "/secret.md", content: "s" });
    const other = (await createApiKey(await openKeyBucket(stack.bus), "other", { workspace: "ws-other" }))
      .key;
    const theirs = new Anthropic({ apiKey: other, baseURL: stack.gw.url, maxRetries: 0 }).beta.memoryStores;
    expect((await failure(theirs.retrieve(store.id))).status).toBe(404);
    expect((await all(theirs.list())).map((s) => s.id)).not.toContain(store.id);
    expect((await failure(theirs.memories.list(store.id))).status).toBe(404);
    expect((await failure(theirs.memories.retrieve(memory.id, { memory_store_id: store.id }))).status).toBe(
      404,
    );
    expect((await failure(theirs.memories.create(store.id, { path: "/x", content: "x" }))).status).toBe(404);
    expect((await failure(theirs.memoryVersions.list(store.id).then((p) => p.data))).status).toBe(404);
    expect((await failure(theirs.archive(store.id))).status).toBe(404);
    expect((await failure(theirs.delete(store.id))).status).toBe(404);
    expect(await paths(store.id)).toEqual(["/secret.md"]);
  });

  test("refuses a bad name, an unknown field and a store of no one", async () => {
    expect((await failure(stores().create({ name: "" }))).status).toBe(400);
    expect((await failure(stores().create({ name: "a\u0007b" }))).status).toBe(400);
    const unknown = await failure(stores().create({ name: "x", scope: "y" } as never));
    expect(unknown.error.message).toContain('"scope"');
    expect((await failure(stores().retrieve("memstore_NOPE0000000000"))).status).toBe(404);
  });
});

describe("memories", () => {
  test("create, retrieve, list, update with preconditions, rename and delete, each a version by the API key", async () => {
    const store = await newStore();
    const memory = await stores().memories.create(store.id, { path: "/notes/todo.md", content: "buy milk" });
    expect(memory).toMatchObject({ type: "memory", path: "/notes/todo.md", content: null });
    expect(memory.content_sha256).toBe(sha("buy milk"));
    expect(memory.content_size_bytes).toBe(8);
    const got = await stores().memories.retrieve(memory.id, { memory_store_id: store.id });
    expect(got.content).toBe("buy milk");

    const stale = await failure(
      stores().memories.update(memory.id, {
        memory_store_id: store.id,
        content: "buy bread",
        precondition: { type: "content_sha256", content_sha256: sha("something else") },
      }),
    );
    expect(stale.status).toBe(409);
    expect(stale.error.type).toBe("memory_precondition_failed_error");
    expect((await stores().memories.retrieve(memory.id, { memory_store_id: store.id })).content).toBe(
      "buy milk",
    );

    const v2 = await stores().memories.update(memory.id, {
      memory_store_id: store.id,
      content: "buy bread",
      precondition: { type: "content_sha256", content_sha256: sha("buy milk") },
      view: "full",
    });
    expect(v2).toMatchObject({ id: memory.id, content: "buy bread", created_at: memory.created_at });
    expect(v2.memory_version_id).not.toBe(memory.memory_version_id);
    // Already what was asked: answered as it is, whatever the hash, and no new version.
    const same = await stores().memories.update(memory.id, {
      memory_store_id: store.id,
      content: "buy bread",
      precondition: { type: "content_sha256", content_sha256: sha("buy milk") },
    });
    expect(same.memory_version_id).toBe(v2.memory_version_id);

    const moved = await stores().memories.update(memory.id, { memory_store_id: store.id, path: "/done.md" });
    expect(moved).toMatchObject({ id: memory.id, path: "/done.md", content_sha256: sha("buy bread") });

    const wrong = await failure(
      stores().memories.delete(memory.id, { memory_store_id: store.id, expected_content_sha256: sha("x") }),
    );
    expect(wrong.error.type).toBe("memory_precondition_failed_error");
    expect(
      await stores().memories.delete(memory.id, {
        memory_store_id: store.id,
        expected_content_sha256: sha("buy bread"),
      }),
    ).toEqual({ id: memory.id, type: "memory_deleted" });
    expect((await failure(stores().memories.retrieve(memory.id, { memory_store_id: store.id }))).status).toBe(
      404,
    );

    const versions = await all(stores().memoryVersions.list(store.id));
    expect(versions.map((v) => v.operation)).toEqual(["deleted", "modified", "modified", "created"]);
    const keyId = (versions[0]!.created_by as { api_key_id: string }).api_key_id;
    expect(keyId).toMatch(/^ckey_/);
    for (const v of versions) expect(v.created_by).toEqual({ type: "api_actor", api_key_id: keyId });
    expect(versions.every((v) => v.memory_id === memory.id && v.content === null)).toBe(true);
    expect(versions[3]).toMatchObject({ path: "/notes/todo.md", content_sha256: sha("buy milk") });
    const byKey = await all(
      stores().memoryVersions.list(store.id, { api_key_id: keyId, operation: "modified" }),
    );
    expect(byKey).toHaveLength(2);
    const first = await stores().memoryVersions.retrieve(versions[3]!.id, { memory_store_id: store.id });
    expect(first.content).toBe("buy milk");
  });

  test("lists by path prefix, rolls deeper memories into prefixes with depth, and pages", async () => {
    const store = await newStore();
    for (const path of ["/a.md", "/notes/x.md", "/notes/deep/y.md", "/notes-archive/z.md"])
      await stores().memories.create(store.id, { path, content: path });
    const under = await all(stores().memories.list(store.id, { path_prefix: "/notes/" }));
    expect(under.map((m) => m.path)).toEqual(["/notes/deep/y.md", "/notes/x.md"]);
    const top = await all(stores().memories.list(store.id, { depth: 1 }));
    expect(top.map((m) => [m.type, m.path])).toEqual([
      ["memory", "/a.md"],
      ["memory_prefix", "/notes-archive/"],
      ["memory_prefix", "/notes/"],
    ]);
    const full = await all(stores().memories.list(store.id, { view: "full", limit: 1 }));
    expect(full.map((m) => (m as { content: string }).content)).toEqual(await paths(store.id));
    expect((await failure(stores().memories.list(store.id, { path_prefix: "/notes" }))).status).toBe(400);
  });

  test("refuses a path that is taken or overlaps another as ancestor or descendant, naming it", async () => {
    const store = await newStore();
    const memory = await stores().memories.create(store.id, { path: "/notes/todo.md", content: "x" });
    for (const path of ["/notes/todo.md", "/notes", "/notes/todo.md/sub"]) {
      const { status, error } = await failure(stores().memories.create(store.id, { path, content: "y" }));
      expect(status).toBe(409);
      expect(error).toMatchObject({
        type: "memory_path_conflict_error",
        conflicting_path: "/notes/todo.md",
        conflicting_memory_id: memory.id,
      });
    }
    const other = await stores().memories.create(store.id, { path: "/other.md", content: "z" });
    const rename = await failure(
      stores().memories.update(other.id, { memory_store_id: store.id, path: "/notes/todo.md/inner" }),
    );
    expect(rename.error.type).toBe("memory_path_conflict_error");
    expect(await paths(store.id)).toEqual(["/notes/todo.md", "/other.md"]);
  });

  test("refuses bad paths (.., relative, NUL, empty segments, too long, too deep) and oversize content, storing nothing", async () => {
    const store = await newStore();
    const bad = [
      "/a/../b",
      "../b",
      "notes.md",
      "/a\u0000b",
      "/a//b",
      "/a/./b",
      "/x\u200bz",
      "/" + "a".repeat(1024),
      "/a".repeat(21),
      "/e\u0301",
    ];
    for (const path of bad) {
      const { status, error } = await failure(stores().memories.create(store.id, { path, content: "x" }));
      expect(status, path).toBe(400);
      expect(error.type).toBe("invalid_request_error");
    }
    const big = await failure(
      stores().memories.create(store.id, { path: "/big", content: "é".repeat(51_201) }),
    );
    expect(big.status).toBe(400);
    expect(big.error.message).toContain("102400");
    expect(await paths(store.id)).toEqual([]);
    expect(await all(stores().memoryVersions.list(store.id))).toEqual([]);
    const limit = await stores().memories.create(store.id, { path: "/big", content: "a".repeat(102_400) });
    expect(limit.content_size_bytes).toBe(102_400);
  });

  test("an archived store is read-only: reads, deletes and redactions only", async () => {
    const store = await newStore();
    const kept = await stores().memories.create(store.id, { path: "/kept.md", content: "one" });
    const gone = await stores().memories.create(store.id, { path: "/gone.md", content: "two" });
    await stores().memories.update(kept.id, { memory_store_id: store.id, content: "one, again" });
    await stores().archive(store.id);

    const writes = [
      () => stores().memories.create(store.id, { path: "/new.md", content: "x" }),
      () => stores().memories.update(kept.id, { memory_store_id: store.id, content: "changed" }),
      () => stores().update(store.id, { name: "renamed" }),
    ];
    for (const write of writes) {
      const { status, error } = await failure(write());
      expect(status).toBe(400);
      expect(error.message).toContain("archived");
    }
    expect((await stores().memories.retrieve(kept.id, { memory_store_id: store.id })).content).toBe(
      "one, again",
    );
    await stores().memories.delete(gone.id, { memory_store_id: store.id });
    expect(await paths(store.id)).toEqual(["/kept.md"]);

    const [oldVersion] = await all(
      stores().memoryVersions.list(store.id, { memory_id: kept.id, operation: "created" }),
    );
    const redacted = await stores().memoryVersions.redact(oldVersion!.id, { memory_store_id: store.id });
    expect(redacted).toMatchObject({
      content: null,
      path: null,
      content_sha256: null,
      content_size_bytes: null,
    });
    expect(redacted.redacted_at).not.toBeNull();
    const current = (await stores().memories.retrieve(kept.id, { memory_store_id: store.id }))
      .memory_version_id;
    const live = await failure(stores().memoryVersions.redact(current, { memory_store_id: store.id }));
    expect(live.status).toBe(409);
  });
});

describe("concurrent writers", () => {
  test("two writers on two store replicas lose nothing: every create lands once, each version in order", async () => {
    const store = await newStore();
    const writer = (name: string) =>
      Array.from({ length: 15 }, (_, i) =>
        stores().memories.create(store.id, { path: `/${name}/${i}.md`, content: `${name} ${i}` }),
      );
    const created = await Promise.all([...writer("left"), ...writer("right")]);
    expect(new Set(created.map((m) => m.id)).size).toBe(30);
    expect(await paths(store.id)).toHaveLength(30);
    const versions = await all(stores().memoryVersions.list(store.id));
    expect(versions).toHaveLength(30);
    expect(new Set(versions.map((v) => v.memory_id))).toEqual(new Set(created.map((m) => m.id)));
  });

  test("racing conditional updates of one memory: exactly one wins, the others are told, none is lost", async () => {
    const store = await newStore();
    const memory = await stores().memories.create(store.id, { path: "/counter", content: "0" });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        stores().memories.update(memory.id, {
          memory_store_id: store.id,
          content: `writer ${i}`,
          precondition: { type: "content_sha256", content_sha256: sha("0") },
        }),
      ),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    expect(won).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected"))
      expect((r.reason as InstanceType<typeof Anthropic.APIError>).status).toBe(409);
    const final = await stores().memories.retrieve(memory.id, { memory_store_id: store.id });
    expect(final.content_sha256).toBe(
      (won[0] as PromiseFulfilledResult<{ content_sha256: string }>).value.content_sha256,
    );
    expect(await all(stores().memoryVersions.list(store.id))).toHaveLength(2);
  });
});

describe("the sandbox-manager's memory RPCs", () => {
  const session = "sesn_01MEMORYTEST0000000000" as SessionId;

  test("a snapshot mounts the content; a session write is a version by the session, with its precondition", async () => {
    const store = await newStore({ name: "Team Notes!" });
    await stores().memories.create(store.id, { path: "/a.md", content: "alpha" });
    const snapshot = await request(sandboxBus, MEMORY_RPC.snapshot, {
      memory_store_id: store.id,
      session_id: session,
    });
    expect(snapshot.store.name).toBe("Team Notes!");
    expect(snapshot.memories).toEqual([
      expect.objectContaining({ path: "/a.md", content: "alpha", content_sha256: sha("alpha") }),
    ]);
    expect(snapshot.next_page).toBeNull();

    const write = (path: string, content: string | null, expected?: string | null) =>
      request(sandboxBus, MEMORY_RPC.sessionWrite, {
        memory_store_id: store.id,
        session_id: session,
        path,
        content,
        ...(expected !== undefined && { expected_content_sha256: expected }),
      });
    expect(await write("/a.md", "alpha 2", sha("alpha"))).toMatchObject({ type: "memory", path: "/a.md" });
    expect(await write("/a.md", "alpha 3", sha("alpha"))).toMatchObject({
      type: "refused",
      error: { type: "memory_precondition_failed_error" },
    });
    expect(await write("/b.md", "beta", null)).toMatchObject({ type: "memory", path: "/b.md" });
    expect(await write("/b.md", "beta again", null)).toMatchObject({ type: "refused" });
    expect(await write("/b.md", null, sha("beta"))).toMatchObject({ type: "memory_deleted" });

    const bySession = await all(stores().memoryVersions.list(store.id, { session_id: session }));
    expect(bySession.map((v) => v.operation)).toEqual(["deleted", "created", "modified"]);
    for (const v of bySession) expect(v.created_by).toEqual({ type: "session_actor", session_id: session });
    expect(
      (
        await stores()
          .memories.list(store.id)
          .then((p) => p.data)
      ).map((m) => m.path),
    ).toEqual(["/a.md"]);

    await stores().archive(store.id);
    const archived = await write("/c.md", "gamma").then(
      () => null,
      (e: unknown) => e,
    );
    expect(isCorralError(archived, "ARCHIVED")).toBe(true);
  });

  test("a snapshot comes in pages bounded in bytes, each memory once", async () => {
    const store = await newStore();
    for (let i = 0; i < 8; i++)
      await stores().memories.create(store.id, { path: `/big/${i}.md`, content: String(i).repeat(100_000) });
    const seen: string[] = [];
    let page: string | undefined;
    let pages = 0;
    do {
      const snapshot = await request(sandboxBus, MEMORY_RPC.snapshot, {
        memory_store_id: store.id,
        session_id: session,
        ...(page && { page }),
      });
      seen.push(...snapshot.memories.map((m) => m.path));
      page = snapshot.next_page ?? undefined;
      pages++;
    } while (page);
    expect(pages).toBeGreaterThan(1);
    expect(seen).toEqual(Array.from({ length: 8 }, (_, i) => `/big/${i}.md`));
  });

  test("the sandbox-manager may send only the two memory RPCs it needs", async () => {
    const denied = await request(sandboxBus, MEMORY_RPC.storesCreate, { name: "not mine" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(denied).not.toBeNull();
  });
});
