/**
 * Keeps the hub linked to the local host daemon: connects to `$DISPATCH_HOME/host.sock`, and
 * when nothing answers there, starts the daemon detached (its own process group, so it
 * outlives the hub) and connects once it listens. If the link drops, it reconnects, starting
 * a new host when the old one is gone.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { WebSocket } from "ws";
import { isDispatchSetting } from "../core/secrets.js";
import { PLUGINS_VARIABLE, pluginPaths } from "../kinds/plugins.js";
import type { HomePaths } from "../platform/home.js";
import { leanEnv, leanNodeArgs } from "../platform/leanProcess.js";
import { MAX_HOST_MESSAGE_BYTES } from "../protocol/host.js";

/** Host start-up is a Node process boot plus node-pty's load: seconds at worst on a busy box. */
const HOST_START_TIMEOUT_MS = 15_000;
const CONNECT_RETRY_MS = 50;
const RECONNECT_MAX_DELAY_MS = 2_000;

export interface LocalHostLauncherOptions {
  paths: HomePaths;
  logger: Logger;
  /** Extra settings for a host this launcher starts (e.g. buffer bound). */
  hostEnv?: Record<string, string>;
  /** Called with each new open socket to the host. */
  onSocket: (socket: WebSocket) => void;
}

/** The host's own settings, passed on from the hub's environment (no secret among them). */
const HOST_SETTINGS = [
  "DISPATCH_LOG_LEVEL",
  "DISPATCH_HOST_BUFFER_BYTES",
  "DISPATCH_EDITOR_ROOTS",
  "DISPATCH_EDITOR_MAX_BYTES",
  "DISPATCH_BWRAP",
] as const;

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
    socket.once("close", () => this.scheduleReconnect());
    this.options.onSocket(socket);
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_DELAY_MS);
    this.reconnectTimer = setTimeout(() => {
      this.connectOrSpawn().then(
        (socket) => (this.stopped ? socket.close() : this.adopt(socket)),
        (err) => {
          this.options.logger.error({ err }, "could not reach or start the local host; retrying");
          this.scheduleReconnect();
        },
      );
    }, delay);
  }

  private async connectOrSpawn(): Promise<WebSocket> {
    const existing = await tryConnect(this.options.paths.hostSocket);
    if (existing) {
      this.options.logger.info("connected to running local host");
      return existing;
    }
    this.spawnHost();
    const deadline = Date.now() + HOST_START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_MS));
      const socket = await tryConnect(this.options.paths.hostSocket);
      if (socket) {
        this.options.logger.info("started and connected to local host");
        return socket;
      }
    }
    throw new Error(
      `the local host did not start within ${HOST_START_TIMEOUT_MS} ms; see ${this.options.paths.hostLog}`,
    );
  }

  private spawnHost(): void {
    const entry = fileURLToPath(new URL("../host/main.js", import.meta.url));
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) {
      // The host must never see the hub's secrets; it gets only where its home is.
      if (value !== undefined && !isDispatchSetting(name)) env[name] = value;
    }
    env.DISPATCH_HOME = this.options.paths.home;
    for (const name of HOST_SETTINGS) {
      const value = process.env[name];
      if (value) env[name] = value;
    }
    // The host runs the plug-in kinds' runtimes.
    if (process.env[PLUGINS_VARIABLE]) env[PLUGINS_VARIABLE] = pluginPaths(process.env).join(":");
    Object.assign(env, this.options.hostEnv);
    const out = openSync(`${this.options.paths.home}/host.out`, "a", 0o600);
    try {
      const child = spawn(process.execPath, [...leanNodeArgs(env), entry], {
        detached: true,
        stdio: ["ignore", out, out],
        // The host's chat runtimes call LLM APIs over TLS: it boots with the extra CA bundle.
        env: leanEnv(env, { tls: true }),
        cwd: this.options.paths.home,
      });
      child.unref();
      this.options.logger.info({ pid: child.pid }, "started local host");
    } finally {
      closeSync(out);
    }
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
