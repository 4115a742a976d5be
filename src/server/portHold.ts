import { createServer, type Server } from "node:net";
import { takeEarlyPort } from "../platform/earlyStart.js";

/**
 * Binds the hub's port before the store opens and the local host starts, and keeps it until the
 * app listens on it: a start whose port is taken then fails at once and leaves no host daemon
 * behind (the host outlives a hub that ran, on purpose; a hub that never listened started none).
 * Port 0 picks a free port: nothing to hold.
 */
export function holdPort(options: { port: number; host: string }): Promise<Server | undefined> {
  if (options.port === 0) return Promise.resolve(undefined);
  // Held already by the hub's entry, before its modules loaded (`hub/earlyLocalHost.ts`).
  const early = takeEarlyPort(options.port, options.host);
  if (early) return Promise.resolve(early);
  return new Promise((resolve, reject) => {
    // A client that connects meanwhile is hung up on, as it would have been refused without the hold.
    const server = createServer((socket) => socket.destroy());
    // Never what keeps a failing start's process alive.
    server.unref();
    server.once("error", reject);
    server.listen({ port: options.port, host: options.host }, () => resolve(server));
  });
}

/** Lets the held port go, for the app to listen on it. */
export function release(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}
