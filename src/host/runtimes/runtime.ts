/**
 * What a session kind runs on a host. The core is small: start (the factory), input, stop,
 * and events out (through `RuntimeEvents`, which assigns seqs and buffers them for the hub).
 * Everything else is an optional capability that the hub checks before it asks (a chat has
 * no signals to send, a counter no size):
 *
 * - `resize`: the session has a terminal size.
 * - `signal`: it takes POSIX signals (beyond stop).
 * - `foreground`: it can tell what runs in its foreground.
 * - `pause`: its output can be paused (flow control while the hub falls behind).
 * - `command`: it answers its kind's commands.
 *
 * A new runtime implements this and is registered by its kind's name in `registry.ts` (or
 * exported as `runtime` from a plug-in module, see `kinds/plugins.ts`).
 */
import type { Orphan, RuntimeCapability, SpawnSpec } from "../../protocol/host.js";
import type { Caller } from "../../protocol/people.js";
import type { SandboxPolicy } from "./sandbox.js";

/** Where a runtime's events go: seq, buffering and acknowledgement happen behind it. */
export interface RuntimeEvents {
  /**
   * Output bytes (coalesced into `output` events; a keystroke's echo is not delayed). The bytes
   * are handed over, not copied until the event is framed: never change them afterwards.
   */
  output(data: Uint8Array): void;
  /**
   * Any other event, after the output before it: a core type or one of the kind's own.
   * Returns its seq (an editor answers "the text as of seq N").
   */
  emit(type: string, data: Record<string, unknown>): number;
}

export interface RuntimeContext {
  spec: SpawnSpec;
  /** Environment for the session (the host's, scrubbed of dispatch secrets, plus the spec's). */
  env: Record<string, string>;
  events: RuntimeEvents;
  /** Call once the session has ended and its `exit` event is emitted. */
  exited(): void;
  /** What a sandbox hides on this host, for sessions whose spec asks for one. */
  sandbox?: SandboxPolicy;
  /**
   * This host's own directory for files its sessions' processes need (kernel connection
   * files); what no session holds there is an orphan (`OrphanSweeper`).
   */
  runDir: string;
  /**
   * What a person calls the session now (spawn-time name, then each `rename` that reached this
   * host), for text that tells them a command to type; undefined when the hub gave none.
   */
  name?(): string | undefined;
}

/** Who an input came from, as far as the hub says. */
export interface InputFrom {
  /** The person who typed it (their id): a runtime may keep things per person. */
  by?: string;
  /** Their name, for a runtime that shows whose it is. */
  name?: string;
  /** The client's input stream (`input.id`) when it numbered it. */
  stream?: string;
}

export interface SessionRuntime {
  readonly isRunning: boolean;
  /** The process id, for runtimes that run one. */
  readonly pid: number | null;
  readonly exitCode: number | null;
  /** Input from a client (keystrokes, a chat message); throws `session_exited` once ended. */
  input(data: string, from?: InputFrom): void;
  /** Ends the session (a PTY gets `signal`, SIGHUP by default). */
  stop(signal?: string): void;
  /** Releases what it holds; the host is done with it. */
  dispose(): void;

  /** Capability `resize`: its current size, and resizing it. */
  readonly size?: { cols: number; rows: number };
  resize?(cols: number, rows: number): void;
  /** Capability `signal`. */
  signal?(signal: string): void;
  /** Capability `foreground`: what runs in the foreground (null: the shell itself is idle). */
  foreground?(): string | null;
  /** Capability `pause`. */
  setPaused?(paused: boolean): void;
  /**
   * Capability `command`: one of its kind's commands, with checked args; returns the answer.
   * `by`: the person who asked, when the hub said (as the hub authenticated them).
   */
  command?(name: string, args: unknown, by?: Caller): unknown;
}

export type RuntimeFactory = (context: RuntimeContext) => SessionRuntime;

/**
 * A kind's commands on the host that need no session (an editor's directory listing), by
 * name: each checks its own args (`unknown` off the wire) and returns its answer.
 */
export type HostKindCommands = Record<string, (args: unknown) => unknown>;

/**
 * Finds what a kind's sessions left behind in the run directory that no session of this
 * process holds (processes of a host that was killed outright); with `clean`, stops and
 * removes it. The host sweeps at start and on the hub's `orphans` request.
 */
export type OrphanSweeper = (options: { runDir: string; clean: boolean }) => Promise<Orphan[]>;

/** The capabilities a runtime has, as the host reports them to the hub. */
export function capabilitiesOf(runtime: SessionRuntime): RuntimeCapability[] {
  const found: RuntimeCapability[] = [];
  if (runtime.resize) found.push("resize");
  if (runtime.signal) found.push("signal");
  if (runtime.foreground) found.push("foreground");
  if (runtime.setPaused) found.push("pause");
  if (runtime.command) found.push("command");
  return found;
}

/** A plug-in module's host half: `export const runtime: RuntimePlugin` (see `kinds/plugins.ts`). */
export interface RuntimePlugin {
  /** The session kind it runs. */
  kind: string;
  create: RuntimeFactory;
  hostCommands?: HostKindCommands;
}
