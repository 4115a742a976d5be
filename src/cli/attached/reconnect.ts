/**
 * Reaching the hub again after it went away (a restart, a crash), for the clients that carry
 * on through it (`dispatch attach`, `dispatch chat`): tries with backoff, finds the hub afresh
 * each time (a restarted hub writes a new hub.json; its port may differ), and hands the new
 * connection to the client to resume over. Gives up after `DISPATCH_RECONNECT_GIVE_UP_MS`.
 */
import { backoffDelay, WAITED_ON_MAX_MS } from "../../core/backoff.js";
import { DispatchError } from "../../core/errors.js";
import type { ClientSocket } from "../ClientSocket.js";
import type { HubClient } from "../HubClient.js";
import { reconnectGiveUpMs } from "./reconnectSettings.js";

export interface ReconnectOptions {
  /** The client's name in `hello` (the hub's logs). */
  client: string;
  /** Finds the hub again. */
  relocate(): HubClient;
  /** Whether the client is leaving: the tries stop. */
  finished(): boolean;
  /** Settles when the client ends: a wait between tries ends with it. */
  ended: Promise<unknown>;
  /** Carries on over the new connection; its error is another try's cause if the hub is away. */
  resume(socket: ClientSocket, hub: HubClient): Promise<void>;
}

/**
 * `resumed`, `left` (the client is leaving) or `gave-up` (no hub within the give-up time).
 * Throws what no further try would change: a refused key, a removed session.
 */
export async function reconnectToHub(options: ReconnectOptions): Promise<"resumed" | "left" | "gave-up"> {
  const { finished } = options;
  const giveUpAt = Date.now() + reconnectGiveUpMs();
  for (let attempt = 0; !finished(); attempt++) {
    const wait = Math.min(backoffDelay(attempt, Math.random, WAITED_ON_MAX_MS), giveUpAt - Date.now());
    if (wait < 0) return "gave-up";
    await Promise.race([delay(wait), options.ended]);
    if (finished()) return "left";
    let socket: ClientSocket | undefined;
    try {
      const hub = options.relocate();
      socket = await hub.connect(options.client);
      await options.resume(socket, hub);
      return "resumed";
    } catch (err) {
      await socket?.close();
      if (!isUnavailable(err)) throw err;
    }
  }
  return "left";
}

/** Errors worth another try while a hub restarts; a refused key or a removed session are not. */
function isUnavailable(err: unknown): boolean {
  return !(
    err instanceof DispatchError &&
    (err.code === "unauthorized" || err.code === "forbidden" || err.code === "not_found")
  );
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
