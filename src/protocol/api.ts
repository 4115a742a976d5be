/**
 * REST for scripts. JSON in and out, the same schemas as the WebSocket protocol.
 *
 *   GET    /api/health                      unauthenticated: {ok, version}
 *   GET    /api/sessions[?stored=true]      {sessions: SessionInfo[]}; stored: SessionList
 *   POST   /api/sessions                    CreateSessionRequest -> {session}
 *   GET    /api/sessions/:name              {session}
 *   PATCH  /api/sessions/:name              {name} -> {session}
 *   DELETE /api/sessions/:name[?signal=S]   {session}
 *   GET    /api/sessions/:name/history?before=SEQ&limit=N  events before SEQ, newest page
 *   GET    /api/sessions/:name/screen/rows?count=N  {rows: string[] | null}: the screen's last lines
 *   POST   /api/sessions/:name/input        {data} -> {ok}
 *   POST   /api/sessions/:name/resize       {cols, rows} -> {ok}
 *   GET    /api/sessions/:name/events?after=N&limit=M  {events: ApiEvent[], lastSeq}
 *   POST   /api/sessions/:name/revive       {options?} -> {session}: restart an ended session (kinds that can)
 *   POST   /api/sessions/:name/commands/:command  args -> {result}: a verb of the session's kind
 *   POST   /api/gc {olderThan?}             {removed: names}: drop ended sessions
 *   POST   /api/sessions/:name/notify       {state, message?} -> {ok}; the session's own token
 *   GET    /api/status                      hub, host, storage, periodic backups and session counts
 *   GET    /api/search?q=&session=&since=&limit=  {results: SearchResult[]}: stored output lines
 *   GET    /api/kinds                       {kinds: [{name, label}]}: the session kinds registered
 *   POST   /api/backup {file}               {file, bytes}: an online copy of the database
 *   POST   /api/login  {key}   sets the HttpOnly cookie; POST /api/logout clears it
 *
 * Errors: HTTP status from the error code and `{error: {code, message}}`.
 */
import { z } from "zod";
import { AgentState } from "./agentState.js";
import { InputId } from "./inputId.js";
import { Cols, Rows, SessionInfo, UnknownFields } from "./session.js";

/** `id`: the input's number; a client that sends it again with the same id has it applied once. */
export const InputRequest = z.object({ data: z.string().max(1024 * 1024), id: InputId.optional() });
export const ResizeRequest = z.object({ cols: Cols, rows: Rows });
/** What a revive asks of the session's kind (a workspace's `{replay: true}`); the kind checks it. */
export const ReviveRequest = z.object({ options: z.record(z.string(), z.unknown()).optional() });
/** `dispatch notify`: an agent's hook reports its state. */
export const NotifyRequest = z.object({
  state: AgentState,
  message: z.string().max(2000).default(""),
});
export const LoginRequest = z.object({ key: z.string().max(512) });
export const EventsQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(10000).default(1000),
});

/** `GET /api/sessions?stored=true`: each session also carries `storedBytes` (a sum per session). */
export const SessionsQuery = z.object({
  stored: z.enum(["true", "false"]).default("false"),
});

/**
 * `GET /api/sessions?stored=true` and `GET /api/hosts/:name/sessions`: the sessions as the hub
 * holds them, each with `storedBytes`, unless the hub could not read those (its store
 * unavailable): then none has them, and `unknown.storedBytes` says why.
 */
export const SessionList = z.object({
  sessions: z.array(SessionInfo),
  unknown: UnknownFields.optional(),
});
export type SessionList = z.infer<typeof SessionList>;

/** `GET /api/sessions/:name/history`: the newest events before `before`, oldest first. */
export const HistoryQuery = z.object({
  before: z.coerce.number().int().min(1),
  limit: z.coerce.number().int().min(1).max(10000).default(1000),
});

export const ScreenRowsQuery = z.object({ count: z.coerce.number().int().min(1).max(500).default(20) });
/**
 * The last lines of a session's screen as text, as the hub's screen shows them (wrapped rows
 * joined, blank rows at the bottom left out); `null` when the hub has no screen to read (a kind
 * without one, a session that never printed, a screen behind a flood): read the output instead.
 */
export const ScreenRowsBody = z.object({ rows: z.array(z.string()).nullable() });

/** `since`: a duration back from now (`90s`, `1h`, `7d`) or an ISO date. */
export const SearchRequest = z.object({
  q: z.string().min(1).max(500),
  session: z.string().min(1).max(64).optional(),
  since: z.string().min(1).max(40).optional(),
  limit: z.coerce.number().int().min(1).max(10000).default(100),
});
export const SearchResult = z.object({
  /** Session id and name. */
  session: z.string(),
  name: z.string(),
  /** Seq of the output event that completed the line: attach after `seq - 1` to see it. */
  seq: z.number(),
  ts: z.number(),
  line: z.string(),
});
export type SearchResult = z.infer<typeof SearchResult>;
/** Matches oldest first: the newest `limit` of them. */
export const SearchBody = z.object({ results: z.array(SearchResult) });
export type SearchBody = z.infer<typeof SearchBody>;

/**
 * `field`: the request field the error is about ("cwd", "env.BIG", "options"), when it is about
 * one (`DispatchError.field`); `dispatch up` points at that key's line in dispatch.toml.
 */
export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});

/**
 * Whether the hub can write its store. While `ok` is false the hub stores nothing and
 * acknowledges nothing, so hosts keep every event buffered; it retries by itself.
 */
export const StorageStatus = z.object({
  ok: z.boolean(),
  /** What failed and why, for a person ("the disk is full (SQLITE_FULL) ..."); null when ok. */
  problem: z.string().nullable(),
  /** When the current failure began (ms since the epoch); null when ok. */
  since: z.number().nullable(),
});
export type StorageStatus = z.infer<typeof StorageStatus>;

export const BackupRequest = z.object({ file: z.string().min(1).max(4096) });

/** The periodic backups (`DISPATCH_BACKUP_EVERY`), for an operator: absent when they are off. */
export const BackupStatus = z.object({
  dir: z.string(),
  everyMs: z.number(),
  /** The newest backup in `dir` (written by this hub, or found there at its start); null: none yet. */
  last: z.object({ at: z.number(), file: z.string() }).nullable(),
  /**
   * The last attempt's failure, with what to do (a full disk, a missing directory); null when the
   * last attempt succeeded or none failed yet. A later success clears it.
   */
  failure: z.object({ at: z.number(), problem: z.string() }).nullable(),
  /** When the next backup is due (ms since the epoch). */
  nextAt: z.number(),
});
export type BackupStatus = z.infer<typeof BackupStatus>;

/** A cluster node's view of the cluster (`dispatch status` on a node started with DISPATCH_NODE). */
export const ClusterStatus = z.object({
  /** The node that answered. */
  node: z.string(),
  nodes: z.array(
    z.object({
      id: z.string(),
      url: z.string(),
      alive: z.boolean(),
      heartbeatAt: z.number(),
      clients: z.number(),
      /** Hosts whose intake lease it holds. */
      hosts: z.array(z.string()),
    }),
  ),
});
export type ClusterStatus = z.infer<typeof ClusterStatus>;

export const StatusBody = z.object({
  hub: z.object({
    running: z.boolean(),
    pid: z.number().nullable(),
    port: z.number().nullable(),
    rss: z.number().optional(),
  }),
  host: z.object({ running: z.boolean(), pid: z.number().nullable(), rss: z.number().optional() }),
  sessions: z.object({
    total: z.number(),
    running: z.number(),
    exited: z.number(),
    /** Per session: output bytes stored (after retention) and held by the host unacknowledged. */
    bytes: z.array(z.object({ name: z.string(), stored: z.number(), buffered: z.number() })).optional(),
  }),
  dataDir: z.string(),
  version: z.string(),
  /** Absent while the hub is stopped. */
  storage: StorageStatus.optional(),
  /** The hub's store engine and where its data lives (a URL without its password). */
  store: z.object({ engine: z.enum(["sqlite", "postgres"]), location: z.string() }).optional(),
  /** Periodic backups; absent when they are off (or the hub is stopped). */
  backups: BackupStatus.optional(),
  cluster: ClusterStatus.optional(),
});
export type StatusBody = z.infer<typeof StatusBody>;

/**
 * What running one of a kind's verbs takes: `read` whoever may watch the session; `input` what
 * typing takes (a writer, a write link); `control` a writer and never a share link (it loses
 * what the session holds, as a kill does: a kernel's restart).
 */
export const KindCommandAccess = z.enum(["read", "input", "control"]);
export type KindCommandAccess = z.infer<typeof KindCommandAccess>;

/** `GET /api/kinds`: the session kinds the hub has registered, by name, and their verbs. */
export const KindsBody = z.object({
  kinds: z.array(
    z.object({
      name: z.string(),
      label: z.string(),
      /** Other words for the kind's sessions (`image` for a workspace); absent from older hubs. */
      alsoCalled: z.array(z.string()).optional(),
      /** Absent from hubs before verbs were listed. */
      commands: z
        .array(z.object({ name: z.string(), description: z.string(), access: KindCommandAccess }))
        .optional(),
    }),
  ),
});
export type KindsBody = z.infer<typeof KindsBody>;
