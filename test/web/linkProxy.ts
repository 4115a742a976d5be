/**
 * A TCP proxy between a browser and a hub whose link can die silently, as a Wi-Fi that stays
 * associated, a dropped VPN or a proxy that stops forwarding do: `cut` stops forwarding on
 * the connections open now without closing them (their bytes are swallowed, for good: a lost
 * flow does not come back), `restore` lets new connections through again.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * `both`: nothing passes either way, and connections opened meanwhile wait until `restore`
 * (a network that is down). `to-browser`: the hub's replies are lost, what the browser sends
 * still arrives; new connections pass (a path that lost only the old flow's return leg).
 */
export type Cut = "both" | "to-browser";

interface Pair {
  browser: Socket;
  hub: Socket | undefined;
  dropToHub: boolean;
  dropToBrowser: boolean;
}

export interface LinkProxy {
  /** `http://127.0.0.1:PORT`: open the page here. */
  readonly url: string;
  cut(how: Cut): void;
  /**
   * The network is back. `attempts: "lost"`: connections opened while it was down are never
   * answered (their packets were lost with it), as over a real network; else they go through.
   */
  restore(options?: { attempts?: "lost" }): void;
  /** Connections opened while the network is down, waiting for it. */
  readonly attemptsHeld: number;
  close(): Promise<void>;
}

export async function startLinkProxy(hubPort: number): Promise<LinkProxy> {
  const pairs = new Set<Pair>();
  /** Every socket, cut ones too: closing the proxy ends them all. */
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  };
  let held: Pair[] = [];
  let down = false;

  const wire = (pair: Pair): void => {
    const hub = connect(hubPort, "127.0.0.1");
    track(hub);
    pair.hub = hub;
    pair.browser.on("data", (chunk) => {
      if (!pair.dropToHub) hub.write(chunk);
    });
    hub.on("data", (chunk) => {
      if (!pair.dropToBrowser) pair.browser.write(chunk);
    });
    // A close that gets through is passed on; a cut link passes nothing, not even its end.
    pair.browser.on("end", () => {
      if (!pair.dropToHub) hub.end();
    });
    hub.on("end", () => {
      if (!pair.dropToBrowser) pair.browser.end();
    });
    hub.on("error", () => pair.browser.destroy());
    hub.on("close", () => pairs.delete(pair));
  };

  const server: Server = createServer((browser) => {
    track(browser);
    const pair: Pair = { browser, hub: undefined, dropToHub: false, dropToBrowser: false };
    pairs.add(pair);
    browser.on("error", () => pair.hub?.destroy());
    browser.on("close", () => {
      pair.hub?.destroy();
      pairs.delete(pair);
    });
    // Not read until the network is back: the browser's attempt hangs as over a dead network.
    if (down) held.push(pair);
    else wire(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("linkProxy: no port");

  return {
    url: `http://127.0.0.1:${address.port}`,
    cut(how) {
      for (const pair of pairs) {
        pair.dropToBrowser = true;
        if (how === "both") pair.dropToHub = true;
      }
      down = how === "both";
    },
    get attemptsHeld() {
      return held.length;
    },
    restore(options = {}) {
      down = false;
      if (options.attempts !== "lost") for (const pair of held) if (!pair.browser.destroyed) wire(pair);
      held = [];
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
