import type { CredentialId } from "@corral/protocol";

/** A request the proxy will not send on: its HTTP status and a reason safe to show the sandbox. */
export class Refusal extends Error {
  override readonly name = "Refusal";

  constructor(
    readonly status: number,
    message: string,
    readonly credentialId?: CredentialId,
  ) {
    super(message);
  }
}

/** Any failure as a refusal: an unexpected one becomes a 502 that says no more than that. */
export const asRefusal = (error: unknown): Refusal =>
  error instanceof Refusal ? error : new Refusal(502, "the proxy failed");
