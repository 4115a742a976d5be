/**
 * The session record as the hub reports it (REST, WebSocket `sessions`/`session` messages,
 * `dispatch ls --json`). Field names are stable: scripts depend on them.
 */
import { z } from "zod";
import { NAME_PATTERN } from "../core/names.js";
import { AgentStatus } from "./agentState.js";

export const SessionName = z
  .string()
  .regex(NAME_PATTERN, "use 1-32 characters of a-z, 0-9, '_' and '-', starting with a letter or digit");

/** A project's name: the same rules as a session's. */
export const ProjectName = z
  .string()
  .regex(NAME_PATTERN, "use 1-32 characters of a-z, 0-9, '_' and '-', starting with a letter or digit");

/** A session's project (`dispatch up`) and the digest of its declaration in the project file. */
export const SessionProject = z.object({ name: ProjectName, declaration: z.string().max(128) });
export type SessionProject = z.infer<typeof SessionProject>;

/**
 * `starting` until the host has spawned the process; `running`; `exited` (with `exitCode`, or a
 * `reason` such as `host lost`); `failed` (could not start, `reason` says why); `orphaned`
 * (its host has been gone too long, or no longer knows it).
 */
export const SessionStatus = z.enum(["starting", "running", "exited", "failed", "orphaned"]);
export type SessionStatus = z.infer<typeof SessionStatus>;

export const SessionKind = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/);

/** Terminal sizes outside these bounds are rejected: 0x0 and 100000 columns are both errors. */
export const MIN_COLS = 2;
export const MAX_COLS = 1000;
export const MIN_ROWS = 1;
export const MAX_ROWS = 500;
export const Cols = z.number().int().min(MIN_COLS).max(MAX_COLS);
export const Rows = z.number().int().min(MIN_ROWS).max(MAX_ROWS);

export const SessionInfo = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  /** Id of the host that runs the session (`local` for the hub's own host). */
  host: z.string(),
  status: SessionStatus,
  exitCode: z.number().int().nullable(),
  /** Why the session failed or ended other than by its own exit (`host lost`, spawn errors). */
  reason: z.string().nullable(),
  command: z.array(z.string()),
  cwd: z.string(),
  cols: z.number().int(),
  rows: z.number().int(),
  pid: z.number().int().nullable(),
  /** What runs in the foreground: `null` when the shell itself is idle, else a command line. */
  foreground: z.string().nullable(),
  createdAt: z.number(),
  lastActivityAt: z.number(),
  /** Seq of the last stored event. */
  lastSeq: z.number().int(),
  /** Bytes of output the session has produced (compaction does not lower it). */
  bytes: z.number().int(),
  /**
   * Bytes of output its log holds now (after retention's compaction); only where asked for
   * (`GET /api/sessions?stored=true`, `dispatch ls`), as it is summed over the log.
   */
  storedBytes: z.number().int().optional(),
  /** Last non-empty line of output, stripped of escape sequences, for previews. */
  preview: z.string(),
  /** Agent sessions: what the agent is doing (`waiting` = needs you); null until known. */
  agent: AgentStatus.nullable().optional(),
  /** Kind-specific options as created (agent profile and worktree, chat provider settings). */
  options: z.record(z.string(), z.unknown()).optional(),
  /**
   * What the session's runtime can do beyond input and stop (`resize`, `signal`, `foreground`,
   * `pause`, `command`), as its host reported; absent until the host has said.
   */
  capabilities: z.array(z.string()).optional(),
  /**
   * Whether the session's host is connected right now (computed by the hub from the host's
   * status, never stored). The hub always sends it; false means input cannot reach the session.
   */
  reachable: z.boolean().optional(),
  /** The project the session belongs to (`dispatch up` from a `dispatch.toml`); null: none. */
  project: z.string().nullable().optional(),
  /**
   * Digest of the project file's declaration the session was started from, so `dispatch up`
   * can tell which declared sessions changed; absent for sessions outside a project.
   */
  declaration: z.string().optional(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

/**
 * What a list or a sum could not fill in, each with why: `storedBytes` while the hub's store
 * cannot be read (the sessions themselves are the hub's own, and still listed).
 */
export const UnknownFields = z.object({ storedBytes: z.string() });

/**
 * A session as the hub keeps it: what clients see, plus what only the hub and host need.
 * Kind-specific facts (an agent's state, a chat's settings) live in `meta`; the kind decides
 * what of them clients see (`SessionKind.describe`).
 */
export type SessionRecord = Omit<
  SessionInfo,
  "agent" | "options" | "reachable" | "capabilities" | "declaration" | "storedBytes"
> & {
  env: Record<string, string>;
  meta: Record<string, unknown>;
};

/** What a client may ask for when creating a session (REST body and WebSocket `create`). */
export const CreateSessionRequest = z.object({
  name: SessionName.optional(),
  kind: SessionKind.default("terminal"),
  /** argv; empty or absent means the user's shell (`$SHELL`, else /bin/bash). */
  command: z.array(z.string().max(4096)).max(256).optional(),
  cwd: z.string().max(4096).optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(65536)).optional(),
  cols: Cols.default(80),
  rows: Rows.default(24),
  /** Host to run on; defaults to the client's current host context, then `local`. */
  host: z.string().optional(),
  /** Kind-specific options (agent profile and worktree, chat provider), checked by the kind. */
  options: z.record(z.string(), z.unknown()).optional(),
  /** Tags the session as part of a project, with the digest of its declaration there. */
  project: SessionProject.optional(),
});
export type CreateSessionRequest = z.input<typeof CreateSessionRequest>;
export type CreateSessionParams = z.output<typeof CreateSessionRequest>;

export const RenameSessionRequest = z.object({ name: SessionName });
