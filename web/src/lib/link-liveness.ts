/**
 * Whether the page's link to the hub is alive: a link can die without closing (a network gone
 * silently, a proxy that stops forwarding), and the browser would report it only after minutes.
 * Two watches find it sooner: the keepalive (a ping every 10 s, nothing heard for 30 s) and,
 * after a request the hub answers at once, its reply (`linkSilence.ts`: the CLI goes by it too). Any
 * message from the hub counts as alive. Kept apart from the socket's own life (`connection.ts`),
 * which owns what happens once a link is found dead.
 */
import { LINK_SILENT_MS, silenceLeft } from "../../../src/core/linkSilence.js";

/** Keepalive: ask every 20 s; no message at all within 10 s after that means a dead link. */
const PING_INTERVAL_MS = 20_000;
const PONG_TIMEOUT_MS = 10_000;

export interface LinkLivenessOptions {
  /** When the longest-waiting watched request was sent (ms since the epoch), if one waits. */
  oldestWatched(): number | undefined;
  /** `socket` is still the page's link (an older one's watch ends quietly). */
  isCurrent(socket: WebSocket): boolean;
  /** `socket` was found dead, saying why: the owner closes it and reconnects. */
  dead(socket: WebSocket, reason: string): void;
}

export class LinkLiveness {
  #lastMessageAt = 0;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #replyTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #options: LinkLivenessOptions;

  constructor(options: LinkLivenessOptions) {
    this.#options = options;
  }

  /** The hub was heard from (the socket opened, or any message came). */
  heard(): void {
    this.#lastMessageAt = Date.now();
  }

  /** Pings the hub over `socket` from now on, and finds it dead once nothing is heard for long. */
  keepAlive(socket: WebSocket): void {
    clearInterval(this.#pingTimer);
    this.#pingTimer = setInterval(() => {
      if (Date.now() - this.#lastMessageAt > PING_INTERVAL_MS + PONG_TIMEOUT_MS) {
        this.#options.dead(socket, "keepalive timeout");
        return;
      }
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "ping" }));
    }, PING_INTERVAL_MS / 2);
  }

  /** A watched request was just sent over `socket`: its reply is watched for, unless one already is. */
  awaitReply(socket: WebSocket): void {
    if (this.#replyTimer === undefined) this.#watchReplies(socket, LINK_SILENT_MS);
  }

  stop(): void {
    clearInterval(this.#pingTimer);
    this.#pingTimer = undefined;
    clearTimeout(this.#replyTimer);
    this.#replyTimer = undefined;
  }

  /**
   * Checks, `delay` ms from now, that the oldest watched request was answered, or at least that
   * the hub was heard from within `LINK_SILENT_MS` of it (a busy link streaming output is alive
   * even when the reply queues behind it); re-arms while watched requests are pending.
   */
  #watchReplies(socket: WebSocket, delay: number): void {
    this.#replyTimer = setTimeout(() => {
      this.#replyTimer = undefined;
      if (!this.#options.isCurrent(socket)) return;
      const oldest = this.#options.oldestWatched();
      if (oldest === undefined) return;
      const left = silenceLeft(oldest, this.#lastMessageAt, Date.now());
      if (left <= 0) this.#options.dead(socket, "no reply");
      else this.#watchReplies(socket, left);
    }, delay);
  }
}
