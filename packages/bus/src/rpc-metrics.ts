import { histogram } from "@corral/metrics";

// Labelled by the definition's subject (a template such as `corral.sandbox.*.exec`), never the concrete
// subject a request came in on: the series stay few however many sessions and sandboxes there are.
const served = histogram({
  name: "corral_rpc_served_seconds",
  help: "Time to answer an RPC, from receipt to reply, by subject template and reply code (OK or the error code)",
  labelNames: ["subject", "code"],
});

/** Starts timing one request served on `subject`; the returned function records it with its reply's code. */
export function timeServed(subject: string): (code: string) => void {
  const startMs = performance.now();
  return (code) => served.observe({ subject, code }, (performance.now() - startMs) / 1000);
}
