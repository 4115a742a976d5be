/**
 * Structured logs (pino) to a file in DISPATCH_HOME, level from DISPATCH_LOG_LEVEL
 * (default `info`). Hub and host each write their own file.
 */
import { openSync } from "node:fs";
import { type Logger, pino } from "pino";

const LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

export function logLevel(env: NodeJS.ProcessEnv = process.env): string {
  const level = env.DISPATCH_LOG_LEVEL?.toLowerCase();
  return level && LEVELS.has(level) ? level : "info";
}

/**
 * Log lines held in memory while the file cannot be written (a full disk); past this, new lines
 * are dropped rather than growing the process without bound.
 */
const MAX_PENDING_LOG_BYTES = 4 * 1024 * 1024;

/**
 * The log file opened at once, not by the stream in the background: a process that fails right
 * after creating its logger (a database another program holds locked) exits while a stream
 * still opening its file, and pino's exit hook then throws "sonic boom is not ready yet" over
 * the message that said what was wrong. A file that cannot be opened now is left to the stream,
 * which keeps trying (a log is never what stops the process).
 */
function openLogFile(file: string): number | string {
  try {
    return openSync(file, "a", 0o600);
  } catch {
    return file;
  }
}

export function createFileLogger(options: { file: string; name: string; level?: string }): Logger {
  const destination = pino.destination({
    dest: openLogFile(options.file),
    mkdir: true,
    sync: false,
    mode: 0o600,
    maxLength: MAX_PENDING_LOG_BYTES,
  });
  // A log that cannot be written (ENOSPC, EIO) must not take the process down: without a
  // listener the stream's `error` is thrown. The lines stay buffered (bounded) and are written
  // once the file accepts them again; there is nowhere better to report this failure.
  destination.on("error", () => undefined);
  return pino({ name: options.name, level: options.level ?? logLevel() }, destination);
}
