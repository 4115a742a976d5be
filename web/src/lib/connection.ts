/**
 * The client WebSocket to the hub: `hello` first, request/reply by `ref` (`pending-requests.ts`),
 * binary output frames, a dead link found and dropped (`link-liveness.ts`), and automatic
 * reconnect with exponential backoff and jitter. It knows nothing about sessions; the workspace
 * re-attaches them on every `open`.
 */
import type { z } from "zod";
import { BACKOFF_MAX_MS, backoffDelay, WAITED_ON_MAX_MS } from "../../../src/core/backoff.js";
import { CLIENT_PROTOCOL_VERSION } from "../../../src/core/version.js";
import type { ClientMessage, ServerMessage } from "../../../src/protocol/client.js";
import { decodeOutputFrame, type OutputFrame } from "../../../src/protocol/frames.js";
import { oversizedFrame } from "./frame-limit.js";
import { LinkLiveness } from "./link-liveness.js";
import { PendingRequests, RequestError } from "./pending-requests.js";

export type Outgoing = z.input<typeof ClientMessage>;
/** Requests the hub answers: every client message except `hello`, which `open` handles. */
type Request = Exclude<Outgoing, { type: "hello" }>;

export type ConnectionState =
  | { state: "connecting"; attempt: number }
  | { state: "open" }
  | { state: "waiting"; attempt: number; retryAt: number }
  | { state: "unauthorized" }
  | { state: "closed" };

export interface ConnectionHandlers {
  /** Every server message that is not a reply to a pending request. */
  message(msg: ServerMessage): void;
  output(frame: OutputFrame): void;
  state(state: ConnectionState): void;
  /** Connected and greeted: the time to (re)send `list` and re-attach sessions. */
  open(isReconnect: boolean): void;
  /** Decides whether a failed connection is an expired login; true stops retrying. */
  isUnauthorized(): Promise<boolean>;
}

/**
 * An attempt not welcomed by then is given up and a fresh one made: one begun while the
 * network was silently gone hangs until TCP's own retries give up (minutes), even once the
 * network is back.
 */
const CONNECT_TIMEOUT_MS = 10_000;

export class Connection {
  #socket: WebSocket | null = null;
  #attempt = 0;
  #everOpened = false;
  #greeted = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #pending = new PendingRequests();
  readonly #liveness = new LinkLiveness({
    oldestWatched: () => this.#pending.oldestWatched(),
    isCurrent: (socket) => socket === this.#socket,
    dead: (socket, reason) => this.#dead(socket, reason),
  });
  #disposed = false;
  readonly #url: string;
  readonly #handlers: ConnectionHandlers;

  constructor(options: { url: string; handlers: ConnectionHandlers }) {
    this.#url = options.url;
    this.#handlers = options.handlers;
  }

  get isOpen(): boolean {
    return this.#greeted && this.#socket?.readyState === WebSocket.OPEN;
  }

  start(): void {
    // Back online, or back to the tab after sleep: skip whatever backoff is left.
    window.addEventListener("online", this.#online);
    window.addEventListener("offline", this.#offline);
    document.addEventListener("visibilitychange", this.#wake);
    this.#connect();
  }

  /**
   * The browser says the network is gone. The socket may still read "open" (it would be found
   * dead only at the keepalive, ~30 s later) and keys sent into it would be lost; drop it now,
   * so the page shows that it is reconnecting and queues keys until it is back.
   */
  readonly #offline = (): void => {
    const socket = this.#socket;
    if (this.#disposed || !socket) return;
    closeWhenOpen(socket);
    void this.#closed(socket);
  };

  /** Back online: an attempt begun while offline is bound to fail, so start a fresh one now. */
  readonly #online = (): void => {
    const socket = this.#socket;
    if (this.#disposed) return;
    if (socket && !this.isOpen) {
      this.#socket = null;
      closeWhenOpen(socket);
    }
    this.retryNow();
  };

  readonly #wake = (): void => {
    if (document.visibilityState === "visible") this.retryNow();
  };

  /** Skips the remaining backoff (the user clicked "retry", or the network came back). */
  retryNow(): void {
    if (this.#disposed || this.#socket) return;
    clearTimeout(this.#retryTimer);
    this.#connect();
  }

  /** Fire-and-forget; dropped while disconnected (re-attach on reconnect restores state). */
  send(msg: Request): boolean {
    if (!this.isOpen) return false;
    const frame = JSON.stringify(msg);
    const refused = oversizedFrame(frame);
    if (refused) {
      console.warn(`dispatch: ${refused}`);
      return false;
    }
    this.#socket?.send(frame);
    return true;
  }

  /**
   * Sends a request and resolves with its reply; rejects with `disconnected` when the link is
   * lost first. `watch`: the hub answers this at once, so its reply is expected within
   * `LINK_SILENT_MS` (`linkSilence.ts`: of the send or of the last message heard), else the
   * link is taken for dead and dropped (not for long-running requests such as a workspace's `eval`).
   */
  request(msg: Request, options: { watch?: boolean } = {}): Promise<ServerMessage> {
    const socket = this.#socket;
    if (!this.isOpen || !socket)
      return Promise.reject(new RequestError("disconnected", "Not connected to the hub."));
    const watch = options.watch === true;
    return this.#pending.add(watch, (ref) => {
      const frame = JSON.stringify({ ...msg, ref });
      const refused = oversizedFrame(frame);
      if (refused) throw new RequestError("too_large", refused);
      socket.send(frame);
      if (watch) this.#liveness.awaitReply(socket);
    });
  }

  dispose(): void {
    this.#disposed = true;
    window.removeEventListener("online", this.#online);
    window.removeEventListener("offline", this.#offline);
    document.removeEventListener("visibilitychange", this.#wake);
    clearTimeout(this.#retryTimer);
    this.#liveness.stop();
    const socket = this.#socket;
    this.#socket = null;
    if (socket) closeWhenOpen(socket);
    this.#pending.failAll();
    this.#handlers.state({ state: "closed" });
  }

  #connect(): void {
    this.#handlers.state({ state: "connecting", attempt: this.#attempt });
    const socket = new WebSocket(this.#url);
    socket.binaryType = "arraybuffer";
    this.#socket = socket;
    this.#greeted = false;
    let reached = false;
    socket.onopen = () => {
      reached = true;
      this.#liveness.heard();
      socket.send(
        JSON.stringify({ type: "hello", protocol: CLIENT_PROTOCOL_VERSION, client: "web", ref: 0 }),
      );
    };
    socket.onmessage = (event: MessageEvent<string | ArrayBuffer>) => this.#receive(socket, event.data);
    socket.onclose = () => void this.#closed(socket, reached);
    // Errors are followed by close; the close handler does the work.
    socket.onerror = () => {};
    setTimeout(() => {
      if (this.#socket !== socket || this.#greeted) return;
      // Closed now, though still connecting (the browser logs that): a browser makes a new
      // WebSocket to the same address wait while an earlier one is still connecting.
      socket.onclose = null;
      socket.onmessage = null;
      socket.close();
      void this.#closed(socket);
    }, CONNECT_TIMEOUT_MS);
  }

  #receive(socket: WebSocket, data: string | ArrayBuffer): void {
    if (socket !== this.#socket) return;
    this.#liveness.heard();
    if (typeof data !== "string") {
      const frame = decodeOutputFrame(new Uint8Array(data));
      if (frame) this.#handlers.output(frame);
      else console.warn("dispatch: ignored a malformed output frame");
      return;
    }
    let msg: ServerMessage;
    try {
      msg = JSON.parse(data) as ServerMessage;
    } catch {
      console.warn("dispatch: ignored a message that is not JSON");
      return;
    }
    if (!this.#greeted) {
      this.#greet(socket, msg);
      return;
    }
    // `attached` also carries the session record everyone else wants to see.
    if (this.#pending.answer(msg) && msg.type !== "attached") return;
    if (msg.type === "pong") return;
    this.#handlers.message(msg);
  }

  #greet(socket: WebSocket, msg: ServerMessage): void {
    if (msg.type === "welcome") {
      this.#greeted = true;
      const isReconnect = this.#everOpened;
      this.#everOpened = true;
      this.#attempt = 0;
      this.#liveness.keepAlive(socket);
      // What it says (the roles a grant gives) is known before anything is attached.
      this.#handlers.message(msg);
      this.#handlers.state({ state: "open" });
      this.#handlers.open(isReconnect);
    } else if (msg.type === "error") {
      if (msg.code === "unauthorized") this.#unauthorized();
      else console.error(`dispatch: the hub refused the connection: ${msg.message}`);
      socket.close(1000, "refused");
    }
  }

  /** `reached`: the WebSocket opened (the hub is up) before it closed. */
  async #closed(socket: WebSocket, reached = false): Promise<void> {
    if (socket !== this.#socket) return;
    const wasGreeted = this.#greeted;
    this.#socket = null;
    this.#greeted = false;
    this.#liveness.stop();
    this.#pending.failAll();
    if (this.#disposed) return;
    // Reached but never welcomed: maybe a refused login; ask the REST API. (A hub that is
    // down is not asked: that would only add a second failed request per attempt.)
    if (reached && !wasGreeted && (await this.#handlers.isUnauthorized())) {
      this.#unauthorized();
      return;
    }
    // Disposed meanwhile, or already reconnecting (retryNow during the check above).
    if (this.#disposed || this.#socket) return;
    // A page in view has a person waiting on it (the 5 s cap); a tab in the background keeps
    // the long one, and coming back to it retries at once (#wake).
    const cap = document.visibilityState === "visible" ? WAITED_ON_MAX_MS : BACKOFF_MAX_MS;
    const delay = backoffDelay(this.#attempt, Math.random, cap);
    this.#attempt++;
    this.#handlers.state({ state: "waiting", attempt: this.#attempt, retryAt: Date.now() + delay });
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }

  #unauthorized(): void {
    this.#disposed = true;
    clearTimeout(this.#retryTimer);
    this.#handlers.state({ state: "unauthorized" });
  }

  /** A dead link may take minutes to report close; give up on it now. */
  #dead(socket: WebSocket, reason: string): void {
    socket.onclose = null;
    socket.close(4000, reason);
    void this.#closed(socket);
  }
}

/**
 * Closes a socket now, or once it has opened if it is still connecting: closing one that is
 * connecting makes the browser log "closed before the connection is established" (a logout or
 * a page leaving while a slow hub answers the upgrade).
 */
function closeWhenOpen(socket: WebSocket): void {
  socket.onmessage = null;
  socket.onclose = null;
  if (socket.readyState !== WebSocket.CONNECTING) {
    socket.close(1000, "bye");
    return;
  }
  socket.onopen = () => socket.close(1000, "bye");
  socket.onerror = () => {};
}
