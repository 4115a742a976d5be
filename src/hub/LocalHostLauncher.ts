/**
 * Keeps the hub linked to the local host daemon: connects to `$DISPATCH_HOME/host.sock`, and
 * when nothing answers there, starts the daemon detached (its own process group, so it
 * outlives the hub) and connects once it listens. If the link drops, it reconnects, starting
 * a new host when the old one is gone.
 */
import { existsSync } from "node:fs";
import type { Logger } from "pino";
import { WebSocket } from "ws";
import { takeEarlyHost } from "../platform/earlyStart.js";
import type { HomePaths } from "../platform/home.js";
import { isAlive } from "../platform/processAlive.js";
import { HOST_STOPPING_CLOSE_CODE, MAX_HOST_MESSAGE_BYTES } from "../protocol/host.js";
import { spawnLocalHost } from "./localHostProcess.js";

/** Host start-up is a Node process boot plus node-pty's load: seconds at worst on a busy box. */
const HOST_START_TIMEOUT_MS = 15_000;
const CONNECT_RETRY_MS = 50;
/**
 * How often a starting host's socket is looked for: the hub's start-up waits on it, and a look
 * is one `stat` until the socket is there.
 */
const HOST_START_POLL_MS = 10;
const RECONNECT_MAX_DELAY_MS = 2_000;
/**
 * How long after a host stopped on purpose (`HOST_STOPPING_CLOSE_CODE`) a new one is started:
 * `dispatch stop --all` signals the hub and the host at once, and the hub, stopping, must not
 * start another; a hub that keeps running starts one after this.
 */
const STOPPED_HOST_RESTART_DELAY_MS = 1_000;

export interface LocalHostLauncherOptions {
  paths: HomePaths;
  logger: Logger;
  /** Called with each new open socket to the host. */
  onSocket: (socket: WebSocket) => void;
}

export class LocalHostLauncher {
  private stopped = false;
  private reconnectDelay = CONNECT_RETRY_MS;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LocalHostLauncherOptions) {}

  /** Connects (starting the host if needed); resolves once the first socket is open. */
  async start(): Promise<void> {
    const socket = await this.connectOrSpawn();
    this.adopt(socket);
  }

  stop(): void {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
  }

  private adopt(socket: WebSocket): void {
    this.reconnectDelay = CONNECT_RETRY_MS;
    socket.once("close", (code) => this.scheduleReconnect(code === HOST_STOPPING_CLOSE_CODE));
    this.options.onSocket(socket);
  }

  private scheduleReconnect(hostStopped = false): void {
    if (this.stopped) return;
    const delay = hostStopped ? STOPPED_HOST_RESTART_DELAY_MS : this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_DELAY_MS);
    this.reconnectTimer = setTimeout(() => {
      this.connectOrSpawn().then(
        (socket) => (this.stopped ? socket.close() : this.adopt(socket)),
        (err) => {
          if (this.stopped) return;
          this.options.logger.error({ err }, "could not reach or start the local host; retrying");
          this.scheduleReconnect();
        },
      );
    }, delay);
  }

  private async connectOrSpawn(): Promise<WebSocket> {
    const { paths, logger } = this.options;
    // Started by the hub's entry while the hub's modules loaded (`earlyLocalHost.ts`): waited
    // for, not doubled (two hosts starting at once would both take the socket's path).
    const early = takeEarlyHost();
    const existing = await tryConnect(paths.hostSocket);
    if (existing) {
      if (early === undefined) logger.info("connected to running local host");
      else logger.info({ pid: early }, "connected to the local host started early");
      return existing;
    }
    let starting = early ?? this.spawnHost();
    if (early !== undefined) logger.info({ pid: early }, "waiting for the local host started early");
    let replaced = early === undefined;
    const deadline = Date.now() + HOST_START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, HOST_START_POLL_MS));
      // The hub is stopping: a host it started and never reached stops by itself (`startingHub.ts`).
      if (this.stopped) throw new Error("the hub is stopping");
      const socket = existsSync(paths.hostSocket) ? await tryConnect(paths.hostSocket) : undefined;
      if (socket) {
        logger.info({ pid: starting }, "started and connected to local host");
        return socket;
      }
      // The early host ended without serving (it failed, or lost to a host starting beside it
      // that has not listened yet): one of the launcher's own takes its place, once.
      if (!replaced && (starting === undefined || !isAlive(starting))) {
        replaced = true;
        starting = this.spawnHost();
      }
    }
    throw new Error(`the local host did not start within ${HOST_START_TIMEOUT_MS} ms; see ${paths.hostLog}`);
  }

  private spawnHost(): number | undefined {
    const pid = spawnLocalHost({ home: this.options.paths.home, env: process.env });
    this.options.logger.info({ pid }, "started local host");
    return pid;
  }
}

function tryConnect(socketPath: string): Promise<WebSocket | undefined> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws+unix://${socketPath}:/`, { maxPayload: MAX_HOST_MESSAGE_BYTES });
    socket.once("open", () => {
      // Hold incoming messages (the host's hello comes at once) until a HostConnection listens.
      socket.pause();
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", () => resolve(undefined));
  });
}
