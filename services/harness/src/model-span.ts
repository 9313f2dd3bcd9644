import { bounded, failSpan, SpanKind, tracer } from "@corral/tracing";

/**
 * A client span around one model request (the Anthropic SDK's stream), with the GenAI conventions' model,
 * stop reason and token counts; never a prompt, a message or a tool input.
 */
export function traceModelRequest(model: string) {
  const span = tracer.startSpan("model request", {
    kind: SpanKind.CLIENT,
    attributes: bounded({ "gen_ai.operation.name": "chat", "gen_ai.request.model": model }),
  });
  return {
    done(stopReason: string | null, usage: { input_tokens: number; output_tokens: number }): void {
      span.setAttributes(
        bounded({
          "gen_ai.response.finish_reasons": stopReason ?? undefined,
          "gen_ai.usage.input_tokens": usage.input_tokens,
          "gen_ai.usage.output_tokens": usage.output_tokens,
        }),
      );
      span.end();
    },
    failed(errorType: string): void {
      failSpan(span, errorType);
      span.end();
    },
  };
}
