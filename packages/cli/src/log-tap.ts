import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

/** pino's numeric levels: 50 error, 60 fatal. */
const ERROR_LEVEL = 50;
const MAX_SHOWN = 300;

/** A process's log file (`<dir>/<name>.log`, appended to across restarts) and the console's lines. */
export interface LogTap {
  /** Copies the stream's lines into the file and shows the ones worth a person's attention. */
  attach(stream: Readable | null): void;
  /** The last error line that was not JSON (an uncaught exception's message), for the restart line. */
  lastWords(): string | null;
  close(): void;
}

interface Entry {
  level?: number;
  msg?: string;
  session_id?: string;
  err?: { message?: string };
}

function parse(line: string): Entry | null {
  if (!line.startsWith("{")) return null;
  try {
    return JSON.parse(line) as Entry;
  } catch {
    return null;
  }
}

/** The one human line an entry is worth, or null: a service up, and every error (a session's named). */
export function humanLine(name: string, entry: Entry): string | null {
  const msg = (entry.msg ?? "").slice(0, MAX_SHOWN);
  if (entry.level !== undefined && entry.level >= ERROR_LEVEL) {
    const session = entry.session_id ? ` (session ${entry.session_id})` : "";
    const cause = entry.err?.message ? `: ${entry.err.message.slice(0, MAX_SHOWN)}` : "";
    return `corral: ${name}: ${msg}${session}${cause}`;
  }
  if (/ started$/.test(msg)) return `corral: ${name} up`;
  return null;
}

/**
 * Every line a service prints goes to `<dir>/<name>.log` as it is (pino JSON); the console gets one line
 * per thing a person should see: the service up, an error, and (through the supervisor) a crash with the
 * process's last words.
 */
export function logTap(dir: string, name: string, report: (line: string) => void): LogTap {
  mkdirSync(dir, { recursive: true });
  const file: WriteStream = createWriteStream(join(dir, `${name}.log`), { flags: "a", mode: 0o600 });
  let lastError: string | null = null;
  return {
    attach(stream) {
      if (!stream) return;
      lastError = null;
      createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => {
        file.write(`${line}\n`);
        const entry = parse(line);
        if (!entry) {
          if (/^\s*(\w*Error|Error \[\w+\])\b/.test(line)) lastError = line.trim().slice(0, MAX_SHOWN);
          return;
        }
        const human = humanLine(name, entry);
        if (human) report(human);
      });
    },
    lastWords: () => lastError,
    close: () => file.end(),
  };
}
