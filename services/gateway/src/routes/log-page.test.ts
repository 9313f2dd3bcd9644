import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestStack, type TestStack } from "../testing.js";
import { apiClient, expectError } from "../test-api.js";

// `position` (a Corral extension of the events list): a page that starts anywhere in a log, either order.
let stack: TestStack;
beforeAll(async () => (stack = await startTestStack()));
afterAll(() => stack.close());

const call = apiClient(() => stack.gw);
const say = (text: string) => ({ type: "user.message", content: [{ type: "text", text }] });
const seqs = (body: { data: { seq: number }[] }) => body.data.map((e) => e.seq);

async function sessionWith(messages: number): Promise<string> {
  const env = (await call("POST", "/v1/environments", { name: `env-position-${Date.now()}` })).body;
  const agent = (await call("POST", "/v1/agents", { name: "positioned", model: "claude-test" })).body;
  const sid = (await call("POST", "/v1/sessions", { agent: agent.id, environment_id: env.id })).body.id;
  const events = Array.from({ length: messages }, (_, i) => say(`m${i}`));
  await call("POST", `/v1/sessions/${sid}/events`, { events });
  return sid;
}

test("a page starts at the position asked for, in either order, and pages on from there", async () => {
  const sid = await sessionWith(30);
  const all = (await call("GET", `/v1/sessions/${sid}/events?limit=1000`)).body;
  const last = all.data.at(-1).seq as number;
  const at = last - 10;

  const forward = (await call("GET", `/v1/sessions/${sid}/events?position=${at}&limit=4`)).body;
  expect(seqs(forward)).toEqual([at, at + 1, at + 2, at + 3]);
  const after = (await call("GET", `/v1/sessions/${sid}/events?limit=4&page=${forward.next_page}`)).body;
  expect(seqs(after)).toEqual([at + 4, at + 5, at + 6, at + 7]);

  const back = (await call("GET", `/v1/sessions/${sid}/events?position=${at}&order=desc&limit=3`)).body;
  expect(seqs(back)).toEqual([at, at - 1, at - 2]);
  const before = (await call("GET", `/v1/sessions/${sid}/events?order=desc&limit=3&page=${back.next_page}`))
    .body;
  expect(seqs(before)).toEqual([at - 3, at - 4, at - 5]);

  const end = (await call("GET", `/v1/sessions/${sid}/events?position=${last}`)).body;
  expect(seqs(end)).toEqual([last]);
  expect(end.next_page).toBeNull();
  const typed = (await call("GET", `/v1/sessions/${sid}/events?position=${at}&types[]=user.message&limit=2`))
    .body;
  expect(
    typed.data.every((e: { seq: number; type: string }) => e.seq >= at && e.type === "user.message"),
  ).toBe(true);
});

test("a bad or out-of-range position is refused with a typed error, and the log is unchanged", async () => {
  const sid = await sessionWith(3);
  const before = (await call("GET", `/v1/sessions/${sid}/events?limit=1000`)).body;
  const last = before.data.at(-1).seq as number;
  for (const bad of ["-1", "1.5", "abc", "", "1e400", String(2 ** 60)])
    expectError(
      await call("GET", `/v1/sessions/${sid}/events?position=${bad}`),
      400,
      "invalid_request_error",
    );
  const past = await call("GET", `/v1/sessions/${sid}/events?position=${last + 1}`);
  expectError(past, 400, "invalid_request_error");
  expect(past.body.error.message).toContain("out of range");
  expectError(
    await call("GET", `/v1/sessions/${sid}/events?position=${last + 1}&order=desc`),
    400,
    "invalid_request_error",
  );
  const page = (await call("GET", `/v1/sessions/${sid}/events?limit=1`)).body.next_page;
  expectError(
    await call("GET", `/v1/sessions/${sid}/events?position=0&page=${page}`),
    400,
    "invalid_request_error",
  );
  expectError(
    await call("GET", `/v1/sessions/sesn_01JZZZZZZZZZZZZZZZZZZZZZZZ/events?position=0`),
    404,
    "not_found_error",
  );
  expect((await call("GET", `/v1/sessions/${sid}/events?limit=1000`)).body).toEqual(before);
});

test("a thread's events list takes the same position, and the OpenAPI document names it", async () => {
  const doc = (await call("GET", "/v1/openapi.json")).body;
  for (const path of [
    "/v1/sessions/{session_id}/events",
    "/v1/sessions/{session_id}/threads/{thread_id}/events",
  ]) {
    const params = doc.paths[path].get.parameters as { name: string; description?: string }[];
    expect(params.find((p) => p.name === "position")?.description).toContain("Corral extension");
  }
  const sid = await sessionWith(1);
  expectError(
    await call("GET", `/v1/sessions/${sid}/threads/sthr_01JZZZZZZZZZZZZZZZZZZZZZZZ/events?position=0`),
    404,
    "not_found_error",
  );
  expectError(
    await call("GET", `/v1/sessions/${sid}/threads/sthr_01JZZZZZZZZZZZZZZZZZZZZZZZ/events?position=-3`),
    400,
    "invalid_request_error",
  );
});
