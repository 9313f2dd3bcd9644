import type { ServerResponse } from "node:http";
import type { FastifyReply, FastifyRequest } from "fastify";
import { CorralError } from "@corral/protocol";
import { sseFollowers } from "./http-metrics.js";

/** `Last-Event-ID` is the position of the last event the client has; the stream resumes right after it. */
export function resumePosition(req: FastifyRequest): number | null {
  const header = req.headers["last-event-id"];
  if (header === undefined || header === "") return null;
  const value = Number(header);
  if (typeof header !== "string" || !Number.isInteger(value) || value < 0)
    throw new CorralError("INVALID_REQUEST", "Last-Event-ID must be an event position this stream sent");
  return value + 1;
}

/** Takes the response from Fastify and starts an event stream on it. */
export function openEventStream(req: FastifyRequest, reply: FastifyReply): ServerResponse {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-accel-buffering": "no",
    "request-id": req.id,
  });
  res.flushHeaders();
  sseFollowers.inc();
  res.once("close", () => sseFollowers.dec());
  return res;
}
