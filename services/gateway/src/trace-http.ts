import type { FastifyInstance, FastifyRequest } from "fastify";
import { bounded, context, contextFrom, failSpan, SpanKind, trace, tracer, type Span } from "@corral/tracing";

const spans = new WeakMap<FastifyRequest, Span>();

const headerOf = (req: FastifyRequest) => (name: string) => {
  const value = req.headers[name];
  return typeof value === "string" ? value : undefined;
};

/**
 * One server span per request, named by its route template (never the URL: ids and queries stay out),
 * the child of a client's own `traceparent` if it sent one. The handler runs inside it, so every RPC it
 * makes carries the trace on. With tracing off these spans are the API's no-ops.
 */
export function traceHttp(app: FastifyInstance): void {
  app.addHook("onRequest", (req, _reply, done) => {
    const route = req.routeOptions.url ?? "unmatched";
    const span = tracer.startSpan(
      `${req.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: bounded({
          "http.request.method": req.method,
          "http.route": route,
          "corral.request_id": req.id,
        }),
      },
      contextFrom(headerOf(req)),
    );
    spans.set(req, span);
    done();
  });
  app.addHook("preHandler", (req, _reply, done) => {
    const span = spans.get(req);
    if (!span) return done();
    context.with(trace.setSpan(context.active(), span), done);
  });
  app.addHook("onResponse", (req, reply, done) => {
    const span = spans.get(req);
    if (span) {
      span.setAttribute("http.response.status_code", reply.statusCode);
      if (reply.statusCode >= 500) failSpan(span, String(reply.statusCode));
      span.end();
    }
    done();
  });
}
