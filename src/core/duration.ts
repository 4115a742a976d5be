/** Parses durations such as `90s`, `15m`, `24h`, `7d` into milliseconds. */
import { DispatchError } from "./errors.js";

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** Longest duration accepted: 100 years, far beyond any age, still exact as a timestamp offset. */
export const MAX_DURATION_MS = 100 * 365 * 86_400_000;

/** Throws `bad_request` (a 400 over REST) for text that is no duration or is out of range. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!match) {
    throw new DispatchError(
      "bad_request",
      `invalid duration '${text}': use a number and a unit, e.g. 30s, 15m, 24h, 7d`,
    );
  }
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (!Number.isFinite(ms) || ms > MAX_DURATION_MS) {
    throw new DispatchError("bad_request", `duration '${text}' is out of range: at most 100 years (36500d)`);
  }
  return ms;
}

/** Short human form of an age in milliseconds: `5s`, `3m`, `2h`, `4d`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
