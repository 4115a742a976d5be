/**
 * The client protocol: hub <-> browser or CLI over one WebSocket at `/ws`.
 *
 * - Control messages are JSON text frames, validated by the schemas below.
 * - `output` events travel as binary frames (`protocol/frames.ts`); every other event as a
 *   JSON `event` message. Both kinds share one ordered stream per connection, so a client
 *   applies them in arrival order.
 * - The first message from the client is `hello`. The connection is authenticated either at
 *   the upgrade (cookie `dispatch_session` or `Authorization: Bearer KEY`) or by `hello.key`.
 * - Any request may carry `ref`; the reply (`result` or `error`) echoes it.
 * - A malformed message gets `{type:"error", code:"bad_request", message, ref}` and the
 *   connection lives on.
 *
 * Attach rule (`hub/attachRule.ts`): `attach {session, afterSeq}` replies `attached`, then
 * sends every stored event with seq > afterSeq, then live events, with no gap and no
 * duplicate. With `snapshot: true` the hub first sends the latest `snapshot` message (screen
 * state at `seq`) and then the events after it, whatever `afterSeq` was; when the events after
 * `afterSeq` are no longer stored it does the same.
 *
 * Session commands: a kind's own verbs travel as `command {session, name, args}`, validated by
 * the kind's schema for that command and answered with `result {data}` or `error`. A new
 * verb needs no change here.
 *
 * Resize rule: a session has one size. The most recent client to send `resize` (or `attach`
 * with a size) sets it, like tmux's `window-size latest`: the person typing sees a screen
 * that fits. Other clients render the same grid at their own size (scrolling or padding).
 */
import { z } from "zod";
import { StorageStatus } from "./api.js";
import { JsonEvent } from "./events.js";
import { HostView } from "./hosts.js";
import { InputId } from "./inputId.js";
import { PresenceEntry, Principal, Role } from "./people.js";
import { Cols, CreateSessionRequest, Rows, SessionInfo, SessionName } from "./session.js";
import { KillSignal } from "./signals.js";

/** Largest JSON message a client may send (input pastes included). */
export const MAX_CLIENT_MESSAGE_BYTES = 1024 * 1024;
/**
 * Largest WebSocket message the hub reads from a client: one between MAX_CLIENT_MESSAGE_BYTES
 * and this gets an error naming the limit; one over it closes the socket (the WebSocket
 * library's own close, 1009 "message too big", before the hub sees the message). The clients
 * measure what they send and send nothing over MAX_CLIENT_MESSAGE_BYTES (the CLI sends long
 * text in pieces, the web page too, and refuses the rest: `web/src/lib/frame-limit.ts`).
 */
export const MAX_CLIENT_FRAME_BYTES = 16 * MAX_CLIENT_MESSAGE_BYTES;

const Ref = z.union([z.string().max(64), z.number().int()]).optional();
/** A session named by name or id. */
const SessionRef = z.string().min(1).max(64);

export const ClientHello = z.object({
  type: z.literal("hello"),
  protocol: z.number().int(),
  key: z.string().max(512).optional(),
  client: z.string().max(64).optional(),
  ref: Ref,
});

export const ClientMessage = z.discriminatedUnion("type", [
  ClientHello,
  z.object({ type: z.literal("list"), ref: Ref }),
  z.object({ type: z.literal("create"), ref: Ref, session: CreateSessionRequest }),
  z.object({
    type: z.literal("attach"),
    ref: Ref,
    session: SessionRef,
    afterSeq: z.number().int().min(0).default(0),
    /**
     * `true`: start from the current screen (latest snapshot) and what follows; `false`: exact
     * events after `afterSeq` (as far as history is still stored); absent: a snapshot when one
     * is newer than `afterSeq` (a fresh or long-gone client), else exact events.
     */
    snapshot: z.boolean().optional(),
    /**
     * `true`: stored output replayed before the live events may come joined, consecutive output
     * events in one frame that carries the last one's seq and ts (a replay of thousands of small
     * events then costs both sides a few frames). Live events always come one per frame.
     */
    coalesce: z.boolean().optional(),
    cols: Cols.optional(),
    rows: Rows.optional(),
  }),
  z.object({ type: z.literal("detach"), ref: Ref, session: SessionRef }),
  z.object({
    type: z.literal("input"),
    ref: Ref,
    session: SessionRef,
    data: z.string().max(MAX_CLIENT_MESSAGE_BYTES),
    /**
     * Optional: numbers this input so it can be sent again after a reconnect without being typed
     * twice. `seq` rises by one per input of the `stream` (a client's random name for itself,
     * across its connections); the hub applies an input only when its `seq` is above the last it
     * applied for that stream, and acknowledges (`result`, with a `ref`) either way.
     */
    id: InputId.optional(),
  }),
  z.object({ type: z.literal("resize"), ref: Ref, session: SessionRef, cols: Cols, rows: Rows }),
  z.object({ type: z.literal("rename"), ref: Ref, session: SessionRef, name: SessionName }),
  z.object({
    type: z.literal("kill"),
    ref: Ref,
    session: SessionRef,
    /** SIGHUP by default: what closing a terminal sends, and what an interactive shell obeys. */
    signal: KillSignal.default("SIGHUP"),
  }),
  /** `options`: what this revive asks of the kind (a workspace's `replay`), checked by the kind. */
  z.object({
    type: z.literal("revive"),
    ref: Ref,
    session: SessionRef,
    options: z.record(z.string(), z.unknown()).optional(),
  }),
  /** A verb of the session's kind (`total`, `notify`, `export`, ...): see the kind's commands. */
  z.object({
    type: z.literal("command"),
    ref: Ref,
    session: SessionRef,
    name: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, "command names are 1-32 of a-z, 0-9, '-'"),
    args: z.unknown().optional(),
  }),
  z.object({ type: z.literal("ping"), ref: Ref }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export type ClientMessageType = ClientMessage["type"];

/** Messages the hub sends. Types only: the hub builds them, clients trust their hub. */
// biome-ignore format: built on first use (z.lazy); its members keep their indentation
export const ServerMessage = z.lazy(() => z.discriminatedUnion("type", [
  z.object({
    type: z.literal("welcome"),
    ref: Ref,
    protocol: z.number().int(),
    version: z.string(),
    serverTime: z.number(),
    /** Who this connection is signed in as (roles: see PROTOCOL "People"). */
    principal: Principal.optional(),
    /** Its role on each session where a grant makes it other than `principal.role`, by session id. */
    roles: z.record(z.string(), Role).optional(),
  }),
  z.object({ type: z.literal("sessions"), ref: Ref, sessions: z.array(SessionInfo) }),
  /** A session was created or changed (status, name, foreground, activity). Sent to every client. */
  z.object({ type: z.literal("session"), session: SessionInfo }),
  z.object({ type: z.literal("session-removed"), id: z.string() }),
  z.object({
    type: z.literal("attached"),
    ref: Ref,
    session: SessionInfo,
    /** This client's role on the session: a `viewer` may not type, resize, rename or kill. */
    role: Role.optional(),
  }),
  /**
   * This client's role changed while connected (an owner lowered or raised it, or a grant): on
   * `session` (`role` is its role there, attached or not); without `session`, its global role
   * (no session's role changed otherwise). `principal` is who it is now.
   */
  z.object({
    type: z.literal("role"),
    session: z.string().optional(),
    role: Role,
    principal: Principal,
  }),
  /** Who is attached to a session, pushed to every client that can see it when it changes. */
  z.object({ type: z.literal("presence"), session: z.string(), presence: z.array(PresenceEntry) }),
  /** Screen state at `seq` (serialized terminal; replaces everything the client had). */
  z.object({
    type: z.literal("snapshot"),
    session: z.string(),
    seq: z.number().int(),
    cols: z.number().int(),
    rows: z.number().int(),
    data: z.string(),
  }),
  z.object({ type: z.literal("event"), event: JsonEvent }),
  z.object({ type: z.literal("detached"), ref: Ref, session: z.string() }),
  z.object({ type: z.literal("result"), ref: Ref, data: z.unknown().optional() }),
  z.object({ type: z.literal("error"), ref: Ref, code: z.string(), message: z.string() }),
  z.object({ type: z.literal("pong"), ref: Ref, serverTime: z.number() }),
  /** A host's status, health or facts changed (every transition is pushed). */
  z.object({ type: z.literal("host"), host: HostView }),
  /** The store started failing (disk full, I/O error) or recovered; also sent on welcome while failing. */
  z.object({ type: z.literal("storage"), storage: StorageStatus }),
]));
export type ServerMessage = z.infer<typeof ServerMessage>;
