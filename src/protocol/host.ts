/**
 * The host protocol: hub <-> host daemon. The local host serves it on a Unix socket
 * (`$DISPATCH_HOME/host.sock`, mode 0600) as a WebSocket; a remote host dials the hub's
 * `/host` WebSocket. Either way, once connected the messages are the same, so the hub
 * never asks which kind of host it talks to.
 *
 * - The host speaks first: `hello` with its identity and every session it runs (its sessions in
 *   `hello-part`s before it when one message could not hold them all).
 * - The hub answers `sync` with the last seq it has stored per session; the host then sends
 *   every buffered event after it (and a `gap` event where its bounded buffer overflowed).
 * - `output` events travel as binary frames (`protocol/frames.ts`), others as JSON `event`.
 * - The hub sends `ack` once events are committed; the host may then drop them.
 * - Requests carry `ref`; the host answers `reply {ref, ok, error?}`.
 */
import { z } from "zod";
import { JsonEvent } from "./events.js";
import { InputId } from "./inputId.js";
import { Caller } from "./people.js";
import { Cols, Rows, SessionProject } from "./session.js";

/** Largest JSON message either side accepts on the host link. */
export const MAX_HOST_MESSAGE_BYTES = 8 * 1024 * 1024;

/**
 * The WebSocket close code a cluster node refuses a host's link with while another live node
 * holds the host's intake lease (the reason names that node).
 */
export const LEASE_HELD_CLOSE_CODE = 4009;

/**
 * The WebSocket close code a host closes its hub's link with as it stops on purpose (SIGTERM,
 * `dispatch stop --all`, which stops the hub at the same moment): the local host's launcher then
 * waits before starting a new one, so a hub on its way out starts none.
 */
export const HOST_STOPPING_CLOSE_CODE = 4010;

export const HostSessionState = z.object({
  id: z.string(),
  kind: z.string(),
  pid: z.number().int().nullable(),
  running: z.boolean(),
  exitCode: z.number().int().nullable(),
  /** Seq of the newest event the host assigned. */
  lastSeq: z.number().int(),
  cols: z.number().int(),
  rows: z.number().int(),
  foreground: z.string().nullable(),
  /** What the runtime can do beyond the core (see `RUNTIME_CAPABILITIES`). */
  capabilities: z.array(z.string()).default([]),
  /**
   * What a person knows the session by, as the hub told the host (at spawn, then `rename`): a
   * hub that meets the session without its record (a restored backup, a recovered database, a
   * host pointed at a new hub) adopts it under this name, command, cwd, age and project instead
   * of a made-up name. Absent from hosts before host protocol 3. The name is not held to this
   * release's name rules here: the hub checks it when adopting (another release may differ)
   * rather than refusing the whole hello over it.
   */
  name: z.string().optional(),
  command: z.array(z.string()).optional(),
  cwd: z.string().optional(),
  createdAt: z.number().optional(),
  project: SessionProject.optional(),
  /** The kind's options as the hub last spawned it (`SpawnSpec.kindOptions`); host protocol 4. */
  kindOptions: z.record(z.string(), z.unknown()).optional(),
});
export type HostSessionState = z.infer<typeof HostSessionState>;

export const HostInfo = z.object({
  /** Stable id; `local` for the hub's own host. */
  id: z.string(),
  name: z.string(),
  hostname: z.string(),
  os: z.string(),
  arch: z.string(),
  version: z.string(),
  pid: z.number().int(),
  /** Session kinds this host can run (its registered runtimes). */
  capabilities: z.array(z.string()),
  labels: z.record(z.string(), z.string()),
});
export type HostInfo = z.infer<typeof HostInfo>;

/**
 * What a runtime may do beyond the core (start, input, stop, events out). The hub checks these
 * before it asks: a kind without `resize` is never resized, and so on.
 */
export const RUNTIME_CAPABILITIES = ["resize", "signal", "foreground", "pause", "command"] as const;
export type RuntimeCapability = (typeof RUNTIME_CAPABILITIES)[number];

export const SpawnSpec = z.object({
  id: z.string(),
  kind: z.string(),
  /** argv; empty means the host user's shell. */
  command: z.array(z.string()),
  cwd: z.string(),
  env: z.record(z.string(), z.string()),
  cols: Cols,
  rows: Rows,
  /** Text emitted as the first output, before the process's own (revive: the old screen). */
  preface: z.string().optional(),
  /** Seq of the last event the hub already holds for this session (revive continues the log). */
  afterSeq: z.number().int().min(0).default(0),
  /** Kind-specific options the runtime needs (a chat's provider and history), checked by it. */
  options: z.record(z.string(), z.unknown()).optional(),
  /**
   * The session's name, creation time and project, which the host only keeps and reports in
   * its hello (`HostSessionState`); hubs before host protocol 3 send none.
   */
  name: z.string().optional(),
  createdAt: z.number().optional(),
  project: SessionProject.optional(),
  /**
   * What the hub's record keeps of the session's kind options (an agent's profile, worktree and
   * sandbox, a chat's provider settings, a workspace's kernel), which the host only keeps and
   * reports in its hello, so a hub that adopts the session starts it again as it was. Never
   * the environment: it holds the session's token. Hubs before host protocol 4 send none.
   */
  kindOptions: z.record(z.string(), z.unknown()).optional(),
});
export type SpawnSpec = z.infer<typeof SpawnSpec>;

const Ref = z.number().int();

/**
 * A process or file a runtime left behind that no session of the host holds: a kernel whose
 * host daemon was killed outright and restarted, or its connection file. Answered to `orphans`.
 */
export const Orphan = z.object({
  /** The session kind whose runtime left it. */
  kind: z.string(),
  /** Its process, when one still runs. */
  pid: z.number().int().nullable(),
  /** The session it was started for, when its traces say. */
  session: z.string().nullable(),
  /** What it ran, when known (a kernelspec's name). */
  name: z.string().nullable(),
  /** For people: `kernel xpython (pid 5894)`, `connection file kernel-….json`. */
  description: z.string(),
  /** Resident memory of its process, bytes. */
  rss: z.number().int().nullable(),
  /** Its file on the host (a connection file), if any. */
  path: z.string().nullable(),
});
export type Orphan = z.infer<typeof Orphan>;

/** What `orphans` answers: what was found, and whether it was removed (`clean`). */
export const OrphanReport = z.object({ orphans: z.array(Orphan), cleaned: z.boolean() });
export type OrphanReport = z.infer<typeof OrphanReport>;

/** Host -> hub. */
// biome-ignore format: built on first use (z.lazy); its members keep their indentation
export const HostMessage = z.lazy(() => z.discriminatedUnion("type", [
  z.object({
    type: z.literal("hello"),
    protocol: z.number().int(),
    host: HostInfo,
    sessions: z.array(HostSessionState),
  }),
  /**
   * Sessions of a hello too large for one message (`host/helloMessages`), sent before it: the
   * hub takes these parts' sessions, in order, then the hello's own as the hello's list. A host
   * sends them only for a hello that would not fit, which a hub before them could not take either.
   */
  z.object({ type: z.literal("hello-part"), sessions: z.array(HostSessionState) }),
  z.object({ type: z.literal("event"), event: JsonEvent }),
  z.object({
    type: z.literal("reply"),
    ref: Ref,
    ok: z.boolean(),
    /** `field`: the spawn request's field the error is about (`cwd`, `command`), as on REST errors. */
    error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }).optional(),
    data: z.unknown().optional(),
  }),
  z.object({ type: z.literal("pong"), t: z.number() }),
  /** Resident memory and buffered bytes, answered to `stats`. */
  z.object({
    type: z.literal("stats"),
    ref: Ref,
    rss: z.number(),
    buffered: z.record(z.string(), z.number()),
  }),
]));
export type HostMessage = z.infer<typeof HostMessage>;

/** Hub -> host. */
// biome-ignore format: built on first use (z.lazy); its members keep their indentation
export const HubToHostMessage = z.lazy(() => z.discriminatedUnion("type", [
  z.object({ type: z.literal("sync"), sessions: z.record(z.string(), z.number().int().min(0)) }),
  z.object({ type: z.literal("ack"), session: z.string(), seq: z.number().int().min(0) }),
  z.object({ type: z.literal("spawn"), ref: Ref, spec: SpawnSpec }),
  // `by`: the person who typed it (their id), for a runtime that keeps something per person
  // (a chat's line history); absent from a hub that does not say. `byName`: that person's name,
  // for a runtime that shows whose it is (a workspace's typed cell). `id`: the client's number
  // for it (`input.id`), applied once per `by` and stream across hub restarts (the host
  // outlives the hub); a host that does not know it applies the input as before.
  z.object({
    type: z.literal("input"),
    session: z.string(),
    data: z.string(),
    by: z.string().optional(),
    byName: z.string().optional(),
    id: InputId.optional(),
  }),
  z.object({ type: z.literal("resize"), session: z.string(), cols: Cols, rows: Rows }),
  z.object({ type: z.literal("signal"), ref: Ref, session: z.string(), signal: z.string() }),
  /**
   * A kind's command for the session's runtime (an agent's `notify`, a counter's `total`),
   * answered with `reply {data}`. Events it causes are born in the host, where seqs are
   * assigned, so the hub never writes one for a running session itself. `by`: the person who
   * asked (the hub's authenticated principal, `id` as input's `by`), for a runtime that says
   * whose it is (a workspace's waiting cell); absent from a hub that does not say, and from a
   * command no person asked for. A host that does not know it ignores it.
   */
  z.object({
    type: z.literal("command"),
    ref: Ref,
    session: z.string(),
    name: z.string().max(32),
    args: z.unknown().optional(),
    by: Caller.optional(),
  }),
  /**
   * A kind's command that needs no session, answered by the host's runtime for that kind (an
   * editor's directory listing for its file browser): `reply {data}`.
   */
  z.object({
    type: z.literal("kind-command"),
    ref: Ref,
    kind: z.string().max(64),
    name: z.string().max(32),
    args: z.unknown().optional(),
  }),
  /**
   * The session was renamed: the host keeps the name for its hello (`HostSessionState.name`).
   * Sent only to hosts of host protocol 3 or later; an older one would drop it as invalid.
   */
  z.object({ type: z.literal("rename"), session: z.string(), name: z.string() }),
  /** Drop an ended session's state once the hub has stored its exit. */
  z.object({ type: z.literal("forget"), session: z.string() }),
  z.object({ type: z.literal("ping"), t: z.number() }),
  z.object({ type: z.literal("stats"), ref: Ref }),
  /** Find (and with `clean`, stop and remove) what runtimes left behind: `reply {data: OrphanReport}`. */
  z.object({ type: z.literal("orphans"), ref: Ref, clean: z.boolean() }),
  /** Stop every session and exit (`dispatch stop --all`). */
  z.object({ type: z.literal("shutdown"), ref: Ref }),
]));
export type HubToHostMessage = z.infer<typeof HubToHostMessage>;
