/**
 * Structured logs (pino) to a file in DISPATCH_HOME, level from DISPATCH_LOG_LEVEL
 * (default `info`). Hub and host each write their own file.
 */
import { type Logger, pino } from "pino";

const LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

export function logLevel(env: NodeJS.ProcessEnv = process.env): string {
  const level = env.DISPATCH_LOG_LEVEL?.toLowerCase();
  return level && LEVELS.has(level) ? level : "info";
}

export function createFileLogger(options: { file: string; name: string; level?: string }): Logger {
  const destination = pino.destination({ dest: options.file, mkdir: true, sync: false });
  return pino({ name: options.name, level: options.level ?? logLevel() }, destination);
}
