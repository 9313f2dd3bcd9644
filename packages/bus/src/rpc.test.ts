import { afterAll, beforeAll, expect, test } from "vitest";
import { z } from "zod";
import { errors as natsErrors } from "@nats-io/transport-node";
import { CorralError, defineRpc } from "@corral/protocol";
import { busConfigFor, startNatsServer, type NatsServer } from "@corral/testing";
import { connectBus, request, serve, type Bus } from "./index.js";

let server: NatsServer;
let bus: Bus;

const Echo = defineRpc("test.echo", z.object({ text: z.string().max(10) }), z.object({ text: z.string() }));
const Broken = defineRpc("test.broken", z.object({}), z.object({ n: z.number() }));

beforeAll(async () => {
  server = await startNatsServer();
  bus = await connectBus(busConfigFor(server.url, "admin", "rpc-test"));
  serve(bus, Echo, async ({ text }) => {
    if (text === "missing") throw new CorralError("NOT_FOUND", "no such thing");
    if (text === "crash") throw new Error("secret internal detail");
    return { text: text.toUpperCase() };
  });
  serve(bus, Broken, async () => ({ n: "not a number" }) as never);
});

afterAll(async () => {
  await bus.close();
  await server.stop();
});

test("a valid request gets its typed value", async () => {
  await expect(request(bus, Echo, { text: "hi" })).resolves.toEqual({ text: "HI" });
});

test("a request the schema rejects fails before it is sent, with the field named", async () => {
  await expect(request(bus, Echo, { text: "far too long text" })).rejects.toMatchObject({
    code: "INVALID_REQUEST",
    message: expect.stringContaining("text"),
  });
});

test("a malformed payload from another language gets a typed INVALID_REQUEST reply", async () => {
  const reply = await bus.nc.request(Echo.subject, new TextEncoder().encode("{not json"));
  expect(reply.json()).toEqual({
    ok: false,
    error: { code: "INVALID_REQUEST", message: "request body is not valid JSON", retryable: false },
  });
  const wrong = await bus.nc.request(Echo.subject, new TextEncoder().encode(JSON.stringify({ text: 5 })));
  expect(wrong.json()).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST" } });
});

test("a handler's CorralError reaches the caller with its code", async () => {
  await expect(request(bus, Echo, { text: "missing" })).rejects.toMatchObject({
    name: "CorralError",
    code: "NOT_FOUND",
    message: "no such thing",
  });
});

test("an unexpected failure is INTERNAL and does not leak its message", async () => {
  const error = await request(bus, Echo, { text: "crash" }).catch((e: unknown) => e);
  expect(error).toMatchObject({ code: "INTERNAL", message: "internal error" });
});

test("a reply that breaks its own schema is refused by the server side", async () => {
  await expect(request(bus, Broken, {})).rejects.toMatchObject({ code: "INTERNAL" });
});

test("a subject nobody serves is UNAVAILABLE at once, not a timeout", async () => {
  const nobody = defineRpc("test.nobody", z.object({}), z.object({}));
  await expect(request(bus, nobody, {}, { timeoutMs: 5000 })).rejects.toMatchObject({
    code: "UNAVAILABLE",
    retryable: true,
  });
});

test("an oversize request is refused with PAYLOAD_TOO_LARGE", async () => {
  const Big = defineRpc("test.big", z.object({ blob: z.string() }), z.object({}));
  await expect(request(bus, Big, { blob: "x".repeat(2 * 1024 * 1024) })).rejects.toMatchObject({
    code: "PAYLOAD_TOO_LARGE",
  });
});

test("a handler that meets a NATS outage answers a retryable TIMEOUT or UNAVAILABLE, not INTERNAL", async () => {
  const Outage = defineRpc("test.rpc.outage", z.object({}), z.object({}));
  serve(bus, Outage, async () => {
    throw new natsErrors.TimeoutError();
  });
  await expect(request(bus, Outage, {})).rejects.toMatchObject({ code: "TIMEOUT", retryable: true });
});
