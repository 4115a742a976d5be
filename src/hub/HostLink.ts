/**
 * The hub's end of a link to one host. The local host (reached over its Unix socket by
 * `LocalHostLauncher`) and a remote host (which dialed `/host`) are both served through this
 * one interface, so nothing above it asks which kind of host it holds (as VS Code's
 * `LocalPty` and `RemotePty` both implement `ITerminalChildProcess`). `HostConnection` is the
 * implementation over a WebSocket, used for both.
 */
import type { SessionEvent } from "../protocol/events.js";
import type { HostInfo, HostSessionState, HubToHostMessage } from "../protocol/host.js";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A hub-to-host message that expects a reply, before its `ref` is assigned. */
export type HostRequest = DistributiveOmit<Extract<HubToHostMessage, { ref: number }>, "ref">;

export interface HostRequestOptions {
  /**
   * The request runs as long as the work it starts (an evaluation: a notebook cell may take
   * minutes), so it has no deadline: it settles with the host's answer, or fails when the link
   * closes (the heartbeat closes a link whose host stops answering). Otherwise the host has a
   * few seconds to answer.
   */
  longRunning?: boolean;
}

export interface HostLink {
  /** What the host said of itself in its hello (identity set by the hub); undefined before. */
  host: HostInfo | undefined;
  /** The host protocol version its hello named; undefined before. */
  protocol: number | undefined;
  readonly isOpen: boolean;
  /** Bytes queued to the host but not yet handed to the OS. */
  readonly bufferedAmount: number;
  /** Sends a message; throws `host_unavailable` when the link is closed. */
  send(message: HubToHostMessage): void;
  /**
   * Only a link through another hub node (`PeerLinks`): sends a message the host does not answer
   * (input), as `send` does, and resolves once that node has put it on its own link to the host,
   * or rejects (`host_unavailable`) when it could not. A link of this node's own has taken a
   * message when `send` returns.
   */
  sendConfirmed?(message: HubToHostMessage): Promise<void>;
  /** Sends a request and resolves with the host's reply data, or rejects with its error. */
  request(message: HostRequest, options?: HostRequestOptions): Promise<unknown>;
  close(code?: number, reason?: string): void;
  /** Drops the link at once (a host that misbehaves, or whose token was revoked). */
  terminate(reason: string): void;
  /** Records a protocol offence and drops the link. */
  violation(message: string): void;
}

/** What a link reports, in order: one hello, then events and pongs, then its close. */
export interface HostLinkEvents {
  onHello(link: HostLink, host: HostInfo, sessions: HostSessionState[]): void;
  /** An event from the host; `frame` is the original binary frame for output events. */
  onEvent(link: HostLink, event: SessionEvent, frame?: Uint8Array): void;
  onClose(link: HostLink, reason: string): void;
  /** The host broke the protocol; the link is closed after this. */
  onViolation?(link: HostLink, message: string): void;
  /**
   * The host answered a request about `session` (a spawn, a signal, a command): `deliver` hands
   * the answer to its asker, and is held until the events the host sent before the answer are
   * stored. Without this handler the answer is delivered at once.
   */
  onReply?(link: HostLink, session: string, deliver: () => void): void;
  /** The host answered a heartbeat `ping {t}`. */
  onPong?(link: HostLink, t: number): void;
}
