import { CorralError, type MemoryRefusal, type MemoryWriteResult } from "@corral/protocol";

/** A memory write the store refused: a 409 whose error has the API's own type and fields. */
export class MemoryRefusalError extends CorralError {
  constructor(readonly refusal: MemoryRefusal) {
    super("CONFLICT", refusal.message, { retryable: false });
  }
}

/** The fields an error adds to the API's error object (a memory refusal's type, conflicting path and id). */
export function apiErrorDetail(error: CorralError): Partial<Omit<MemoryRefusal, "message">> {
  if (!(error instanceof MemoryRefusalError)) return {};
  const { message: _message, ...detail } = error.refusal;
  return detail;
}

/** The written memory or deletion; a refusal becomes its 409. */
export function unlessRefused<R extends MemoryWriteResult>(result: R): Exclude<R, { type: "refused" }> {
  if (result.type === "refused") throw new MemoryRefusalError(result.error);
  return result as Exclude<R, { type: "refused" }>;
}
