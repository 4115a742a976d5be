/**
 * A TCP relay between a client and the hub that can swallow either direction, so a test
 * decides what the hub had received, and what the client had seen, when the hub died: what
 * it swallows is what a SIGKILLed hub never read, or replies it never got out. A connection
 * that swallowed anything is good only for the hub's death (its stream has a hole): the
 * client's end closes with the hub's. Each client connection is relayed to the hub's port
 * at that moment.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import type { HubHandle } from "./harness.js";

/** Where the hub listens (`dispatch start`'s default), and the other loopback address the relay takes. */
const HUB_ADDRESS = "127.0.0.1";
/** The hub must allow it in `Host` (`DISPATCH_ALLOWED_HOSTS`). */
export const RELAY_ADDRESS = "127.0.0.2";

export class SwallowingProxy {
  /** Client -> hub bytes are dropped rather than passed on. */
  swallowToHub = false;
  /** Hub -> client bytes are dropped rather than passed on. */
  swallowToClient = false;
  private swallowedToHub = 0;
  private readonly sockets = new Set<Socket>();
  /** Client ends of connections that swallow both ways while they stay open (`silence`). */
  private readonly silenced = new WeakSet<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /**
   * Relays 127.0.0.2:PORT to the hub at 127.0.0.1:PORT. The same port: the CLI proves its key
   * rather than send it, and a proof holds only for the port it was sent to (keyProof.ts), so
   * the hub must be restarted on this port too.
   */
  static async start(port: number): Promise<SwallowingProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, RELAY_ADDRESS, resolve);
    });
    const proxy = new SwallowingProxy(server, port);
    server.on("connection", (client) => proxy.relay(client, port));
    return proxy;
  }

  get url(): string {
    return `http://${RELAY_ADDRESS}:${this.port}`;
  }

  /** Client -> hub bytes swallowed since the last `pass`, in all connections. */
  get swallowedToHubBytes(): number {
    return this.swallowedToHub;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private relay(client: Socket, port: number): void {
    const hub = createConnection({ host: HUB_ADDRESS, port });
    for (const socket of [client, hub]) {
      this.sockets.add(socket);
      // A reset from either end (the hub killed) ends the pair, below.
      socket.on("error", () => undefined);
      socket.on("close", () => {
        this.sockets.delete(socket);
        client.destroy();
        hub.destroy();
      });
    }
    client.on("data", (data) => {
      if (this.swallowToHub || this.silenced.has(client)) this.swallowedToHub += data.length;
      else hub.write(data);
    });
    hub.on("data", (data) => {
      if (!this.swallowToClient && !this.silenced.has(client)) client.write(data);
    });
  }

  /**
   * The link drops (a network gone, a proxy restarted): every relayed connection is cut, with
   * what it swallowed lost, and the next ones pass everything. The hub lives on.
   */
  drop(): void {
    for (const socket of this.sockets) socket.destroy();
    this.pass();
  }

  /**
   * The link dies silently (a Wi-Fi that stays associated, a dropped VPN): every relayed
   * connection swallows both ways and stays open until an end closes it. Connections made from
   * now on pass everything.
   */
  silence(): void {
    for (const socket of this.sockets) this.silenced.add(socket);
  }

  /** Passes everything on again (for connections made from now on). */
  pass(): void {
    this.swallowToHub = false;
    this.swallowToClient = false;
    this.swallowedToHub = 0;
  }
}

/**
 * The environment of a client that reaches `hub` only through `proxy`: its own data directory
 * `home`, whose `hub.json` names the relay, and `DISPATCH_URL`, so the client never starts a
 * hub of its own there.
 */
export function relayedClientEnv(
  hub: HubHandle,
  proxy: SwallowingProxy,
  home: string,
): Record<string, string> {
  mkdirSync(home, { recursive: true });
  const info = { pid: process.pid, port: proxy.port, host: "127.0.0.1", url: proxy.url };
  writeFileSync(join(home, "hub.json"), JSON.stringify(info));
  return { ...hub.env, DISPATCH_HOME: home, DISPATCH_KEY: hub.key, DISPATCH_URL: proxy.url };
}
