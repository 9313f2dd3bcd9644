import type { Bus } from "./connect.js";

/** The subjects under `prefix` that still hold a message in `stream`: one request (its info, filtered). */
export async function subjectsUnder(bus: Bus, stream: string, prefix: string): Promise<string[]> {
  const info = await bus.jsm.streams.info(stream, { subjects_filter: `${prefix}>` });
  return Object.keys(info.state.subjects ?? {});
}
