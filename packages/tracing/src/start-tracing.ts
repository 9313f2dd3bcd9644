/** What `startTracing` returns: `stop` sends the spans still buffered and shuts the exporter down. */
export interface Tracing {
  readonly enabled: boolean;
  stop(): Promise<void>;
}

const OFF: Tracing = { enabled: false, stop: async () => undefined };

/** Environment variables that turn export on (the standard OTLP ones: the SDK reads the rest itself). */
export function tracingEnabled(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED === "true") return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Called once by a service's `main.ts`. With no OTLP endpoint configured nothing is loaded or started:
 * the API stays the no-op it is by default. Otherwise a Node tracer provider (AsyncLocalStorage context,
 * W3C trace context) exports batches over OTLP/HTTP (JSON) to `$OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces`,
 * every span carrying `service.name`.
 */
export async function startTracing(service: string, env: NodeJS.ProcessEnv): Promise<Tracing> {
  if (!tracingEnabled(env)) return OFF;
  const [{ NodeTracerProvider }, { BatchSpanProcessor }, { OTLPTraceExporter }, resources, semconv] =
    await Promise.all([
      import("@opentelemetry/sdk-trace-node"),
      import("@opentelemetry/sdk-trace-base"),
      import("@opentelemetry/exporter-trace-otlp-http"),
      import("@opentelemetry/resources"),
      import("@opentelemetry/semantic-conventions"),
    ]);
  const provider = new NodeTracerProvider({
    resource: resources.resourceFromAttributes({
      [semconv.ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME || `corral-${service}`,
    }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  return { enabled: true, stop: () => provider.shutdown() };
}
