/**
 * Following a session's live events as a script does (`dispatch logs --follow`, `dispatch
 * transcript --follow`): events after a seq over the WebSocket, until the session ends or
 * Ctrl-C. When the hub goes away (a restart, a crash) it says so on stderr, retries with backoff
 * and goes on from the last seq it handed on, so every event is handled exactly once.
 */
import { backoffDelay, WAITED_ON_MAX_MS } from "../core/backoff.js";
import { DispatchError } from "../core/errors.js";
import type { JsonEvent } from "../protocol/events.js";
import { HubClient } from "./HubClient.js";
import { SessionStream } from "./SessionStream.js";

export interface FollowSession {
  client: HubClient;
  /** The session's name or id (an id survives a rename while the hub is away). */
  session: string;
  /** Events with a greater seq follow. */
  afterSeq: number;
  /** How this follower names itself to the hub (`dispatch-logs`). */
  clientName: string;
  /** Output bytes, in seq order; the next event waits for a returned promise (a full pipe). */
  output?(data: Uint8Array): void | Promise<void>;
  /** Every other event, in seq order, waited for the same way. */
  event?(event: JsonEvent): void | Promise<void>;
}

/** Follows until the session ends or Ctrl-C, through any number of hub restarts. */
export async function followSession(options: FollowSession): Promise<void> {
  const interrupted = new Promise<"interrupted">((resolve) =>
    process.once("SIGINT", () => resolve("interrupted")),
  );
  let after = options.afterSeq;
  let client = options.client;
  let attempt = 0;
  let reconnecting = false;
  const attached = () => {
    if (!reconnecting) return;
    process.stderr.write("[dispatch: reconnected]\n");
    reconnecting = false;
    attempt = 0;
  };
  for (;;) {
    const outcome = await followOnce({ ...options, client, afterSeq: after, interrupted, attached }).catch(
      (err: unknown) => {
        if (err instanceof DispatchError && err.code === "host_unavailable")
          return { lost: true, seq: after };
        throw err;
      },
    );
    after = outcome.seq;
    if (!outcome.lost) return;
    if (!reconnecting) process.stderr.write("\n[dispatch: lost the hub; reconnecting…]\n");
    reconnecting = true;
    const waited = await Promise.race([
      sleep(backoffDelay(attempt++, Math.random, WAITED_ON_MAX_MS)),
      interrupted,
    ]);
    if (waited === "interrupted") return;
    // A restarted hub may listen on another port: find it again.
    client = HubClient.locate();
  }
}

interface FollowOnce extends FollowSession {
  interrupted: Promise<"interrupted">;
  /** Called once the attach succeeded (the hub is there). */
  attached: () => void;
}

/** One connection's worth of following; `lost` when it dropped before the session ended. */
async function followOnce(options: FollowOnce): Promise<{ lost: boolean; seq: number }> {
  const socket = await options.client.connect(options.clientName);
  let handling = Promise.resolve();
  const { output, event } = options;
  const stream = new SessionStream(socket, {
    output: (data) => {
      if (output) handling = handling.then(() => output(data));
    },
    event: (json) => {
      if (event) handling = handling.then(() => event(json));
    },
  });
  try {
    // No size: following must never resize the session for the people attached to it.
    await stream.attach(options.session, { afterSeq: options.afterSeq, snapshot: false });
    options.attached();
    const end = await Promise.race([stream.ended, options.interrupted]);
    await handling;
    return { lost: end !== "interrupted" && end.reason === "closed", seq: stream.seq };
  } catch (err) {
    await handling;
    if (err instanceof DispatchError && err.code === "host_unavailable") {
      return { lost: true, seq: Math.max(options.afterSeq, stream.seq) };
    }
    throw err;
  } finally {
    stream.dispose();
    await socket.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
