/**
 * Events: everything a session does is an append-only log of these. `seq` is 1, 2, 3... per
 * session, assigned by the host where the event is born, so every hop replays with the same
 * rule: "everything after seq N".
 */
import { z } from "zod";

/** Version stamped into each stored event's JSON payloads, checked when reading them back. */
export const EVENT_VERSION = 1;

export const EventType = z.enum([
  /** PTY bytes (binary; travels in binary frames, never as JSON). */
  "output",
  /** The process started: `{pid, command, cwd, cols, rows}`. */
  "start",
  /** The terminal was resized: `{cols, rows}`. */
  "resize",
  /** The process ended: `{code, signal}`. */
  "exit",
  /** Foreground/activity status changed: `{foreground}` (null = idle shell). */
  "status",
  /** Output was lost (host buffer overflow): `{fromSeq, bytes}`; this event's seq ends the gap. */
  "gap",
  /** A snapshot of the screen was taken at this seq: `{seq}`. */
  "snapshot-marker",
  /** The session was revived from a lost host: `{}`. */
  "revived",
  /** An agent's state changed: `{state, message, source}` (see `StateData`). */
  "state",
  /** A chat conversation step: user message, assistant reply, error (see `ChatData`). */
  "chat",
]);
export type EventType = z.infer<typeof EventType>;

export const StartData = z.object({
  pid: z.number().int(),
  command: z.array(z.string()),
  cwd: z.string(),
  cols: z.number().int(),
  rows: z.number().int(),
});
export const ResizeData = z.object({ cols: z.number().int(), rows: z.number().int() });
export const ExitData = z.object({ code: z.number().int().nullable(), signal: z.number().int().nullable() });
export const StatusData = z.object({ foreground: z.string().nullable() });
export const GapData = z.object({ fromSeq: z.number().int(), bytes: z.number().int() });

/** What an agent is doing: working, waiting for the person, or finished (well or not). */
export const AgentState = z.enum(["working", "waiting", "done", "failed"]);
export type AgentState = z.infer<typeof AgentState>;
/**
 * Where a state came from: `hook` (the agent said so, via `dispatch notify`), `guess` (from
 * output and idleness), `exit` (derived from the process's exit code).
 */
export const StateSource = z.enum(["hook", "guess", "exit"]);
export const StateData = z.object({
  state: AgentState,
  message: z.string().max(2000).default(""),
  source: StateSource,
});
export type StateData = z.infer<typeof StateData>;

export const ChatUsage = z.object({ input: z.number().int(), output: z.number().int() });
/**
 * A chat step. The assistant's text also streams as `output` bytes (so terminals show it);
 * these events carry the conversation itself, so it can be resumed, forked and exported.
 * - `user`: a message the person sent.
 * - `assistant`: the complete reply (`cancelled` when stopped midway; `text` is what arrived).
 * - `error`: the reply failed (`code`: unauthorized, rate_limited, unreachable, malformed,
 *   provider); the user message before it is not part of the conversation.
 * - `queued`: the reply waits for a free slot under the host's concurrency limit.
 */
export const ChatData = z.discriminatedUnion("role", [
  z.object({ role: z.literal("user"), text: z.string() }),
  z.object({
    role: z.literal("assistant"),
    text: z.string(),
    model: z.string(),
    usage: ChatUsage.nullable(),
    cancelled: z.boolean().default(false),
  }),
  z.object({ role: z.literal("error"), code: z.string(), message: z.string() }),
  z.object({ role: z.literal("queued"), position: z.number().int() }),
]);
export type ChatData = z.infer<typeof ChatData>;

/** A non-output event as it travels in JSON messages. */
export const JsonEvent = z.object({
  session: z.string(),
  seq: z.number().int().positive(),
  ts: z.number(),
  type: EventType.exclude(["output"]),
  data: z.record(z.string(), z.unknown()),
});
export type JsonEvent = z.infer<typeof JsonEvent>;

/** Any event, in memory: output carries bytes, the rest carry a JSON object. */
export type SessionEvent =
  | { session: string; seq: number; ts: number; type: "output"; data: Uint8Array }
  | JsonEvent;

/** Events as returned by `GET /api/sessions/:name/events`: output as base64. */
export const ApiEvent = z.object({
  seq: z.number().int(),
  ts: z.number(),
  type: EventType,
  data: z.unknown(),
});
