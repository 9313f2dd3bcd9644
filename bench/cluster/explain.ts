import type { Supervised } from "@corral/testing";

interface Entry {
  time?: number;
  level?: number;
  msg?: string;
  session_id?: string;
  err?: { message?: string };
}

/**
 * What the services logged about `sessionId` since `since` (epoch ms), and their warnings and errors
 * counted by message: the story of a harmed session, one line each.
 */
export function explainSession(services: readonly Supervised[], sessionId: string, since: number): string {
  const about: string[] = [];
  const counts = new Map<string, number>();
  for (const service of services)
    for (const line of service.output().split("\n")) {
      let entry: Entry;
      try {
        entry = JSON.parse(line) as Entry;
      } catch {
        continue;
      }
      if ((entry.time ?? 0) < since) continue;
      const text = `${service.name} ${entry.msg ?? ""} ${entry.err?.message?.slice(0, 160) ?? ""}`;
      if (line.includes(sessionId)) about.push(`    +${(entry.time ?? since) - since} ms ${text}`);
      else if ((entry.level ?? 0) >= 40) counts.set(text, (counts.get(text) ?? 0) + 1);
    }
  const warnings = [...counts.entries()].map(([text, n]) => `    ${n}× ${text}`);
  return [
    ...about.slice(-40),
    "  warnings and errors of the stack meanwhile:",
    ...warnings.slice(0, 20),
  ].join("\n");
}
