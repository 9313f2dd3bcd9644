import { readFileSync } from "node:fs";
import type { z } from "zod";
import { describeZodError } from "@corral/protocol";
import type { Logger } from "@corral/logger";
import type { ApiTarget } from "./api.js";

/** What every command is given: where Corral is and where to write. `main.ts` builds it from the env. */
export interface CliContext {
  /** The repository root: `.corral/` lives here, and the services' sources. */
  root: string;
  target: ApiTarget;
  /** NATS_URL when set; else `corral up` runs its own nats-server on `natsPort`. */
  natsUrl: string | undefined;
  natsPort: number;
  /** The NATS identities' directory (`.corral/nats/auth` for an own server; CORRAL_NATS_AUTH_DIR). */
  natsAuthDir: string | undefined;
  out: (line: string) => void;
  err: (line: string) => void;
  logger: Logger;
  readStdin: () => Promise<string>;
}

/** A mistake in how the command was called: shown with the usage, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export const when = (iso: string | null | undefined) => (iso ? iso.replace("T", " ").slice(0, 19) : "-");

export function readJson<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  const parsed = schema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new UsageError(`${file}: ${describeZodError(parsed.error)}`);
  return parsed.data;
}
