/**
 * A client's WebSocket as its subscriptions see it (`SubscriberChannel`): binary output frames,
 * JSON events and snapshots, and how much is queued for it, so a slow client catches up from the
 * store instead of piling up in memory.
 */
import type { WebSocket } from "ws";
import type { SubscriberChannel } from "../hub/Subscription.js";
import { corkForTurn } from "../platform/turnCork.js";
import type { ServerMessage } from "../protocol/client.js";
import { whenDrained } from "./socketDrain.js";

/** A queue down to this counts as drained: catching up resumes while a little is still in flight. */
const DRAINED_BYTES = 64 * 1024;

export interface ClientChannelOptions {
  socket: WebSocket;
  /** Sends one JSON message to the client (nothing once its socket is closing). */
  send: (message: ServerMessage) => void;
  /** Told of every event sent to this client (metrics: events out, fan-out lag). */
  sent?: ((event: { ts: number }) => void) | undefined;
}

export function clientChannel({ socket, send, sent }: ClientChannelOptions): SubscriberChannel {
  return {
    get backlog() {
      return socket.bufferedAmount;
    },
    sendFrame: (frame, events) => {
      if (socket.readyState !== socket.OPEN) return;
      corkForTurn(socket);
      socket.send(frame, { binary: true });
      if (sent) for (const event of events) sent(event);
    },
    sendEvent: (event) => {
      send({ type: "event", event });
      sent?.(event);
    },
    sendSnapshot: (snapshot) => send({ type: "snapshot", ...snapshot }),
    whenDrained: (callback) => {
      whenDrained(socket, DRAINED_BYTES, callback);
    },
  };
}
