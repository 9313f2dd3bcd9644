import { counter, gauge, histogram } from "@corral/metrics";

// The brain's figures. Labels take few values (a tool kind, an outcome), never a session id.

export const sessionsRunning = gauge({
  name: "corral_harness_sessions_running",
  help: "Sessions this replica is running now (lease held, run in progress)",
});

export const wakesTaken = counter({
  name: "corral_harness_wakes_taken_total",
  help: "Wakes this replica took from the work queue",
});

export const wakesRedelivered = counter({
  name: "corral_harness_wakes_redelivered_total",
  help: "Wakes taken that had been delivered before (a replica died, stopped or let it go)",
});

export const leaseTakeovers = counter({
  name: "corral_harness_lease_takeovers_total",
  help: "Session leases taken over from another holder whose lease had expired",
});

export const modelRequestSeconds = histogram({
  name: "corral_harness_model_request_seconds",
  help: "Model requests from send to the last token, by outcome (ok or the error type)",
  labelNames: ["outcome"],
});

export const modelTtftSeconds = histogram({
  name: "corral_harness_model_ttft_seconds",
  help: "Model requests from send to the first streamed token",
});

export const modelTokens = counter({
  name: "corral_harness_model_tokens_total",
  help: "Tokens the model reported, by direction (input, output, cache_read, cache_creation)",
  labelNames: ["direction"],
});

export const toolRunSeconds = histogram({
  name: "corral_harness_tool_run_seconds",
  help: "Tool calls from routing to result, by kind (builtin, mcp, thread, custom, unknown, denied) and built-in tool",
  labelNames: ["kind", "tool"],
});
