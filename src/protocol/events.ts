/**
 * Events: everything a session does is an append-only log of these. `seq` is 1, 2, 3... per
 * session, assigned by the host where the event is born, so every hop replays with the same
 * rule: "everything after seq N".
 */
import { z } from "zod";

/** Version stamped into each stored event's JSON payloads, checked when reading them back. */
export const EVENT_VERSION = 1;

/**
 * The event types every session kind shares, with their payload schemas. Any other type
 * belongs to a session kind, which declares it with its schema (`kinds/kind.ts`); the hub
 * refuses a type that neither the core nor the session's kind knows.
 *
 * `start` and `revived` are lifecycle events every runtime emits, so they are core too.
 */
export const StartData = z.object({
  pid: z.number().int(),
  command: z.array(z.string()),
  cwd: z.string(),
  cols: z.number().int(),
  rows: z.number().int(),
  /** It runs in a sandbox that hides the data directory (docs/OPERATIONS.md, "Security"). */
  sandbox: z.boolean().optional(),
});
export const ResizeData = z.object({ cols: z.number().int(), rows: z.number().int() });
export const ExitData = z.object({
  code: z.number().int().nullable(),
  signal: z.number().int().nullable(),
  reason: z.string().optional(),
});
/** An `exit`'s reason when its host stopped the session (`dispatch stop --all`, a remote host's Ctrl-C). */
export const HOST_STOPPED_REASON = "host stopped";
export const StatusData = z.object({ foreground: z.string().nullable() });
export const GapData = z.object({
  fromSeq: z.number().int(),
  /** Output bytes lost (0 when what was lost is another event: `dropped`). */
  bytes: z.number().int(),
  /** The event its host dropped at this seq, too large for the host link: its type and size. */
  dropped: z.object({ type: z.string(), bytes: z.number().int().nullable() }).optional(),
  /** Why, as a person reads it (with `dropped`). */
  reason: z.string().optional(),
});
export const SnapshotMarkerData = z.object({ seq: z.number().int() }).partial();

export const CORE_EVENT_SCHEMAS = {
  /** The process started: `{pid, command, cwd, cols, rows}`. */
  start: StartData,
  /** The terminal was resized: `{cols, rows}`. */
  resize: ResizeData,
  /** The process ended: `{code, signal}` (and `reason` when the hub closed the log itself). */
  exit: ExitData,
  /** Foreground/activity status changed: `{foreground}` (null = idle shell). */
  status: StatusData,
  /**
   * Output was lost (host buffer overflow): `{fromSeq, bytes}`; this event's seq ends the gap.
   * Or an event too large for the host link was dropped: `{fromSeq: seq, bytes: 0, dropped: {type,
   * bytes}, reason}`.
   */
  gap: GapData,
  /** A snapshot of the screen was taken at this seq. */
  "snapshot-marker": SnapshotMarkerData,
  /** The session was revived from a lost host: `{}`. */
  revived: z.object({}),
} as const;

/** `output` carries PTY bytes (binary frames, never JSON); the rest are the core JSON events. */
export const CORE_EVENT_TYPES = ["output", ...Object.keys(CORE_EVENT_SCHEMAS)] as readonly string[];

export function isCoreEventType(type: string): type is "output" | keyof typeof CORE_EVENT_SCHEMAS {
  return type === "output" || Object.hasOwn(CORE_EVENT_SCHEMAS, type);
}

/** An event type's name: the core's, or a kind's own (`state`, `chat`, ...). */
export const EventType = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, "event types are 1-32 of a-z, 0-9, '-'");
export type EventType = z.infer<typeof EventType>;

/** A non-output event as it travels in JSON messages. */
export const JsonEvent = z.object({
  session: z.string(),
  seq: z.number().int().positive(),
  ts: z.number(),
  type: EventType.refine((type) => type !== "output", "output travels in binary frames"),
  data: z.record(z.string(), z.unknown()),
});
export type JsonEvent = z.infer<typeof JsonEvent>;

/** An `output` event in memory: the PTY bytes themselves. */
export interface OutputEvent {
  session: string;
  seq: number;
  ts: number;
  type: "output";
  data: Uint8Array;
}

/** Any event, in memory: output carries bytes, the rest carry a JSON object. */
export type SessionEvent = OutputEvent | JsonEvent;

/** Narrows to output (a JSON event's type is an open string, so `type ===` alone cannot). */
export function isOutputEvent(event: SessionEvent): event is OutputEvent {
  return event.type === "output";
}

/** Events as returned by `GET /api/sessions/:name/events`: output as base64. */
export const ApiEvent = z.object({
  seq: z.number().int(),
  ts: z.number(),
  type: EventType,
  data: z.unknown(),
});
