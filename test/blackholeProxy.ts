/**
 * A small TCP proxy to a real server that can black-hole the link: the client's side stays
 * open, bytes go nowhere and no answer comes, as when the network drops packets or a proxy
 * hangs. Connections opened while it holes are accepted and ignored; each is recorded, so a
 * test can see a client's connect attempt under way (open) and given up (closed).
 */
import { connect, createServer, type Socket } from "node:net";

/** A connection accepted while the proxy holed: the client is still waiting while `open`. */
export interface HeldAttempt {
  readonly open: boolean;
  /** Resolves when the client gives up (or `resume` cuts it). */
  readonly closed: Promise<void>;
}

export interface BlackholeProxy {
  port: number;
  /** From now on nothing passes either way, and new connections are accepted and ignored. */
  blackhole(): void;
  /**
   * Holes once the client has sent bytes holding each of `markers` in turn, the last of which
   * still reach the server: their answer is lost (a COMMIT the server carried out, whose client
   * never learns it did).
   */
  blackholeAfter(...markers: string[]): void;
  /** The next connection accepted while holing (one already accepted and still open counts). */
  nextAttempt(): Promise<HeldAttempt>;
  /** Passes again: connections that were black-holed are cut (their bytes were lost). */
  resume(): void;
  /**
   * Passes again for new connections only: those black-holed stay silent and open at the
   * server, as after a partition, where no reset reaches the server (its backends live on).
   */
  mend(): void;
  /** Relayed connections whose client has not closed its side (black-holed ones included). */
  relayedOpen(): number;
  close(): Promise<void>;
}

export async function startBlackholeProxy(target: number): Promise<BlackholeProxy> {
  let holing = false;
  let holeAfter: Buffer[] = [];
  const open = new Set<Socket>();
  /** Relayed connections (their client side) and those cut off by a black hole for good. */
  const relayed = new Set<Socket>();
  const severed = new Set<Socket>();
  const hole = () => {
    holing = true;
    for (const inbound of relayed) severed.add(inbound);
  };
  const held: HeldAttempt[] = [];
  let onHeld: ((attempt: HeldAttempt) => void) | undefined;
  const track = (socket: Socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
    socket.on("error", () => undefined);
  };
  const server = createServer((inbound) => {
    track(inbound);
    if (holing) {
      inbound.on("data", () => undefined);
      let isOpen = true;
      const closed = new Promise<void>((resolve) =>
        inbound.on("close", () => {
          isOpen = false;
          resolve();
        }),
      );
      const attempt: HeldAttempt = {
        get open() {
          return isOpen;
        },
        closed,
      };
      held.push(attempt);
      onHeld?.(attempt);
      return;
    }
    const outbound = connect(target, "127.0.0.1");
    track(outbound);
    relayed.add(inbound);
    const cut = () => holing || severed.has(inbound);
    inbound.on("data", (chunk: Buffer) => {
      if (cut()) return;
      outbound.write(chunk);
      const next = holeAfter[0];
      if (next && chunk.includes(next)) {
        holeAfter.shift();
        if (holeAfter.length === 0) hole();
      }
    });
    outbound.on("data", (chunk) => cut() || inbound.write(chunk));
    // Across a black hole, neither end hears that the other closed.
    inbound.on("close", () => {
      relayed.delete(inbound);
      if (!severed.has(inbound)) outbound.destroy();
    });
    outbound.on("close", () => severed.has(inbound) || inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    blackhole: hole,
    blackholeAfter(...markers) {
      holeAfter = markers.map((marker) => Buffer.from(marker));
    },
    nextAttempt() {
      const waiting = held.find((attempt) => attempt.open);
      if (waiting) return Promise.resolve(waiting);
      return new Promise((resolve) => {
        onHeld = (attempt) => {
          onHeld = undefined;
          resolve(attempt);
        };
      });
    },
    resume() {
      holing = false;
      holeAfter = [];
      severed.clear();
      for (const socket of open) socket.destroy();
    },
    mend() {
      holing = false;
      holeAfter = [];
    },
    relayedOpen: () => relayed.size,
    close() {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
