import type { FastifyInstance } from "fastify";
import { counter, gauge, histogram } from "@corral/metrics";

// The route is Fastify's template (`/v1/sessions/:session_id/events`), never the URL asked for: ids and
// queries stay out of the labels, and a request no route matched counts as `unmatched`.

const requests = counter({
  name: "corral_gateway_http_requests_total",
  help: "HTTP requests answered, by method, route template and status",
  labelNames: ["method", "route", "status"],
});

const requestSeconds = histogram({
  name: "corral_gateway_http_request_seconds",
  help: "HTTP requests from receipt to the end of the answer, by method and route template",
  labelNames: ["method", "route"],
});

export const sseFollowers = gauge({
  name: "corral_gateway_sse_followers",
  help: "Event streams (SSE) open now",
});

const METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);

/** Counts and times every request the app answers (an `onResponse` hook: after the answer is sent). */
export function meterHttp(app: FastifyInstance): void {
  app.addHook("onResponse", (req, reply, done) => {
    const method = METHODS.has(req.method) ? req.method : "OTHER";
    const route = req.routeOptions.url ?? "unmatched";
    requests.inc({ method, route, status: String(reply.statusCode) });
    requestSeconds.observe({ method, route }, reply.elapsedTime / 1000);
    done();
  });
}
