/**
 * What the host daemon needs from a running session, whatever runs it (a PTY, an LLM
 * conversation, ...). A new session runtime implements this and registers a factory in
 * `runtimes.ts`.
 */
import type { HostSessionState, SpawnSpec } from "../protocol/host.js";
import type { BufferedEvent } from "./EventBuffer.js";

export interface HostedSession {
  readonly id: string;
  readonly kind: string;
  readonly isRunning: boolean;
  /** Unacknowledged bytes held for the hub. */
  readonly bufferedBytes: number;
  state(): HostSessionState;
  /** Input from a client (keystrokes, or a chat message). Throws `session_exited` when ended. */
  write(data: string): void;
  resize(cols: number, rows: number): void;
  signal(signal: string): void;
  ack(seq: number): void;
  replayAfter(seq: number): (Uint8Array | string)[];
  /** Emits an event into the session's log (an agent's `state` from its hook, a guess). */
  note(type: "state", data: Record<string, unknown>): void;
  /** Flow control while a hub is connected (runtimes that cannot pause ignore it). */
  setPaused(paused: boolean): void;
  dispose(): void;
}

export interface RuntimeContext {
  spec: SpawnSpec;
  /** argv resolved by the session kind. */
  argv: string[];
  /** Environment for the session (host env, scrubbed, plus the spec's). */
  env: Record<string, string>;
  bufferLimitBytes: number;
  onEvent: (session: HostedSession, event: BufferedEvent) => void;
  onExit: (session: HostedSession) => void;
}

export type RuntimeFactory = (context: RuntimeContext) => HostedSession;
