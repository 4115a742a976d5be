/**
 * The ends of sessions a host stopped while no hub took them (`dispatch stop --all` stops the
 * hub first; a remote host stopped while its hub is away): each session's events the hub has
 * not acknowledged, its exit last, saved to a file as the host exits and taken back by the next
 * host process of the same name, which reports the sessions in its hello (ended) and replays
 * their events like any others. Without it the hub never learned how they ended and, meeting
 * a host that did not know them, wrote `host lost` for sessions stopped on purpose. A host
 * killed outright saves nothing: that is still `host lost`.
 *
 * What is saved holds no environment: a session's spec env carries its session token.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "pino";
import { z } from "zod";
import { SpawnSpec } from "../protocol/host.js";
import type { BufferedEvent } from "./EventBuffer.js";
import type { RuntimeFactory } from "./runtimes/runtime.js";
import type { HeldEvents } from "./SessionEventLog.js";

/** Bump on any change to the file's shape; a host finding another version drops the file. */
const SAVED_SESSIONS_VERSION = 1;

/** An ended session as the host saves it, and restores it. */
export interface EndedSession {
  /**
   * Its spawn spec at its last name and size, without what only a running session needs: env
   * (it holds the session's token), preface, and the runtime's options (a chat's history).
   */
  spec: SavedSpec;
  exitCode: number | null;
  capabilities: string[];
  held: HeldEvents;
}

const SavedSpec = SpawnSpec.omit({ env: true, preface: true, options: true });
type SavedSpec = z.infer<typeof SavedSpec>;

/** One event: JSON text as it was, or an output frame in base64. */
const SavedEvent = z.union([
  z.object({ seq: z.number().int(), json: z.string() }),
  z.object({ seq: z.number().int(), frame: z.string(), outputBytes: z.number().int() }),
]);

const SavedSession = z.object({
  spec: SavedSpec,
  exitCode: z.number().int().nullable(),
  capabilities: z.array(z.string()),
  lastSeq: z.number().int().min(0),
  gap: z.object({ fromSeq: z.number().int(), toSeq: z.number().int(), bytes: z.number().int() }).optional(),
  events: z.array(SavedEvent),
});

const SavedFile = z.object({
  version: z.literal(SAVED_SESSIONS_VERSION),
  sessions: z.array(SavedSession),
});

/**
 * Writes `sessions` to `file` (0600, replaced whole); no file when there is nothing to keep.
 * A failure is logged: the hub then says `host lost` for them, no worse than without the file.
 */
export function saveSessions(options: {
  file: string;
  sessions: readonly EndedSession[];
  logger: Logger;
}): void {
  const { file, sessions, logger } = options;
  try {
    writeSaved(file, sessions);
  } catch (err) {
    logger.error({ err, file }, "could not save the ends of stopped sessions");
    return;
  }
  if (sessions.length > 0)
    logger.info(
      { sessions: sessions.map((s) => s.spec.id), file },
      "saved sessions whose ends the hub has not stored",
    );
}

function writeSaved(file: string, sessions: readonly EndedSession[]): void {
  if (sessions.length === 0) {
    rmSync(file, { force: true });
    return;
  }
  const saved: z.input<typeof SavedFile> = {
    version: SAVED_SESSIONS_VERSION,
    sessions: sessions.map(({ spec, exitCode, capabilities, held }) => ({
      spec,
      exitCode,
      capabilities,
      lastSeq: held.lastSeq,
      ...(held.gap ? { gap: held.gap } : {}),
      events: held.events.map(savedEvent),
    })),
  };
  // A host killed half-way through writing leaves the old file (or none), never half of one.
  const partial = `${file}.partial`;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(partial, JSON.stringify(saved), { mode: 0o600 });
  renameSync(partial, file);
}

/**
 * What an earlier host process saved in `file`, removed from disk as it is taken: from now on
 * this process holds those sessions, and saves them again if it stops before the hub has them.
 */
export function takeSavedSessions(file: string, logger: Logger): EndedSession[] {
  let parsed: z.infer<typeof SavedFile>;
  try {
    const text = readFileSync(file, "utf8");
    rmSync(file, { force: true });
    parsed = SavedFile.parse(JSON.parse(text));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    // Another release's file, a damaged or unreadable one: its sessions become `host lost` on
    // the hub, as they would have without it; nothing else depends on it.
    logger.warn({ err, file }, "could not read the sessions an earlier host saved; they are dropped");
    return [];
  }
  const restored = parsed.sessions.map((saved) => ({
    spec: saved.spec,
    exitCode: saved.exitCode,
    capabilities: saved.capabilities,
    held: { lastSeq: saved.lastSeq, gap: saved.gap, events: saved.events.map(bufferedEvent) },
  }));
  if (restored.length > 0)
    logger.info(
      { sessions: restored.map((one) => one.spec.id), file },
      "took back sessions a stopped host saved",
    );
  return restored;
}

/** The runtime of a restored session: it has ended; it only answers what an ended one does. */
export function endedRuntime(ended: EndedSession): RuntimeFactory {
  return () => ({
    isRunning: false,
    pid: null,
    exitCode: ended.exitCode,
    size: { cols: ended.spec.cols, rows: ended.spec.rows },
    input: () => undefined,
    stop: () => undefined,
    dispose: () => undefined,
  });
}

function savedEvent(event: BufferedEvent): z.input<typeof SavedEvent> {
  return typeof event.wire === "string"
    ? { seq: event.seq, json: event.wire }
    : {
        seq: event.seq,
        frame: Buffer.from(event.wire).toString("base64"),
        outputBytes: event.outputBytes,
      };
}

function bufferedEvent(saved: z.infer<typeof SavedEvent>): BufferedEvent {
  if ("json" in saved) return { seq: saved.seq, bytes: saved.json.length, wire: saved.json, outputBytes: 0 };
  const wire = new Uint8Array(Buffer.from(saved.frame, "base64"));
  return { seq: saved.seq, bytes: wire.length, wire, outputBytes: saved.outputBytes };
}
