import { CorralError, jsonDepthExceeds, MAX_JSON_DEPTH } from "@corral/protocol";

/**
 * Refuses a request nested deeper than MAX_JSON_DEPTH before anything is stored: a value that deep would
 * overflow the stack of whoever serialises or walks it later (the projector, a reader, the harness).
 */
export function refuseDeepJson(data: Uint8Array): void {
  if (jsonDepthExceeds(new TextDecoder().decode(data)))
    throw new CorralError("INVALID_REQUEST", `request nests deeper than ${MAX_JSON_DEPTH} levels`);
}
