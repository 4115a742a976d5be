/**
 * A remote host's way to its hub: dials `URL/host` (wss when the hub URL is https) with its
 * host token, hands each open socket to the daemon (the same `bindHubSocket` the local host
 * uses), and when the link drops dials again, forever, with exponential backoff and jitter.
 * Sessions keep running meanwhile; the daemon buffers their output and replays it on `sync`.
 */
import type { Logger } from "pino";
import WebSocket from "ws";
import { backoffDelay } from "../core/backoff.js";
import { MAX_HOST_MESSAGE_BYTES } from "../protocol/host.js";
import type { HostDaemon } from "./HostDaemon.js";
import { bindHubSocket } from "./HostLink.js";

/** With the hub's 2 s heartbeat, this much silence means the link is dead (no FIN arrived). */
const DEFAULT_SILENCE_MS = 15_000;
const SILENCE_CHECK_MS = 1_000;

/** `http://hub:7777` -> `ws://hub:7777/host`; `https://…` -> `wss://…/host`. */
export function hostEndpointUrl(hubUrl: string): string {
  const url = new URL(hubUrl);
  if (url.protocol === "https:") url.protocol = "wss:";
  else if (url.protocol === "http:") url.protocol = "ws:";
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    throw new Error(`hub URL '${hubUrl}' must start with http://, https://, ws:// or wss://`);
  }
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/host`;
  return url.toString();
}

export interface HubDialerOptions {
  hubUrl: string;
  token: string;
  daemon: HostDaemon;
  logger: Logger;
  /** Drop a link that has been silent this long (default 15 s). */
  silenceMs?: number;
}

export class HubDialer {
  private attempt = 0;
  private socket: WebSocket | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly url: string;

  constructor(private readonly options: HubDialerOptions) {
    this.url = hostEndpointUrl(options.hubUrl);
  }

  start(): void {
    this.dial();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.silenceTimer) clearInterval(this.silenceTimer);
    this.socket?.close(1001, "host shutting down");
  }

  private dial(): void {
    if (this.stopped) return;
    const { logger } = this.options;
    logger.debug({ url: this.url, attempt: this.attempt }, "dialing the hub");
    const socket = new WebSocket(this.url, {
      headers: { authorization: `Bearer ${this.options.token}` },
      maxPayload: MAX_HOST_MESSAGE_BYTES,
      handshakeTimeout: 10_000,
    });
    this.socket = socket;
    let lastHeard = Date.now();
    socket.on("unexpected-response", (_request, response) => {
      const why = response.statusCode === 401 ? "the hub refused this host's token (revoked or unknown)" : "";
      logger.error({ status: response.statusCode }, why || "the hub refused the connection");
      socket.terminate();
    });
    socket.on("error", (err) => logger.debug({ err: err.message }, "hub link error"));
    socket.on("open", () => {
      logger.info({ url: this.url }, "connected to the hub");
      bindHubSocket(socket, this.options.daemon, logger);
      this.silenceTimer = setInterval(() => {
        if (Date.now() - lastHeard < (this.options.silenceMs ?? DEFAULT_SILENCE_MS)) return;
        logger.warn("the hub went silent; dropping the link and dialing again");
        socket.terminate();
      }, SILENCE_CHECK_MS);
    });
    socket.on("message", () => {
      lastHeard = Date.now();
      // The hub answered (sync, ping): the link works, so the next drop starts the backoff over.
      this.attempt = 0;
    });
    socket.on("close", () => {
      if (this.silenceTimer) clearInterval(this.silenceTimer);
      this.silenceTimer = undefined;
      if (this.socket === socket) this.socket = undefined;
      this.scheduleDial();
    });
  }

  private scheduleDial(): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt++);
    this.options.logger.info({ delayMs: delay }, "hub link down; sessions keep running; dialing again");
    this.retryTimer = setTimeout(() => this.dial(), delay);
  }
}
