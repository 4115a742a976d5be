/**
 * Logs for a foreground daemon (`dispatch host`): JSON lines on stderr for whoever supervises it
 * (systemd, a container), but plain lines when a person watches it in a terminal, where a wall of
 * JSON hides what the host is saying ("connected to the hub", "hub disconnected").
 */
import { type DestinationStream, type Logger, pino } from "pino";

const LEVEL_NAMES: Record<number, string> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};

/** Fields every line has; the rest are shown as `key=value` after the message. */
const FRAME = new Set(["level", "time", "pid", "hostname", "name", "msg", "v"]);

/** One JSON log line as a person reads it: `19:26:58 warn  hub disconnected  url=ws://…`. */
export function plainLogLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const time = typeof record.time === "number" ? new Date(record.time).toTimeString().slice(0, 8) : "";
  const level = LEVEL_NAMES[record.level as number] ?? String(record.level ?? "");
  const fields = Object.entries(record)
    .filter(([key]) => !FRAME.has(key))
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  return [time, level.padEnd(5), String(record.msg ?? ""), ...fields]
    .filter((part) => part !== "")
    .join("  ");
}

function fieldText(value: unknown): string {
  if (typeof value === "string") return value;
  // An error's stack says where; its message is what a person needs first.
  if (value && typeof value === "object" && "message" in value) return String((value as Error).message);
  return JSON.stringify(value);
}

/** A logger writing to stderr: plain lines on a terminal, JSON lines otherwise. */
export function stderrLogger(options: { name: string; level: string }): Logger {
  if (!process.stderr.isTTY) return pino(options, pino.destination(2));
  const stream: DestinationStream = {
    write: (line: string) => {
      process.stderr.write(`${plainLogLine(line)}\n`);
    },
  };
  return pino(options, stream);
}
