/**
 * The stored form of a snapshot's screen: versioned, so a future format is recognised and an
 * unknown one is ignored (the session then replays its events) rather than misdrawn.
 */
const SNAPSHOT_FORMAT_VERSION = 1;

export function encodeScreen(screen: string): string {
  return JSON.stringify({ v: SNAPSHOT_FORMAT_VERSION, screen });
}

export function decodeScreen(data: string): string | undefined {
  try {
    const parsed = JSON.parse(data) as { v?: unknown; screen?: unknown };
    return parsed.v === SNAPSHOT_FORMAT_VERSION && typeof parsed.screen === "string"
      ? parsed.screen
      : undefined;
  } catch {
    return undefined;
  }
}
