/**
 * Waiting for an attach's replay: `dispatch chat` shows the conversation so far before its
 * prompt reads a line. The hub answers `attached` and then sends what it replays, and the two
 * may come in different reads: a line read in between was sent while the replay still came,
 * and the old reply in it looked like the new line's answer.
 */
import type { ClientSocket } from "../ClientSocket.js";
import type { SessionStream } from "../SessionStream.js";

/**
 * Settles once `stream` has handed on every event up to `seq` (the session's last seq when
 * the attach was answered), or has ended (the connection dropped: the view carries on).
 */
export function replayShown(socket: ClientSocket, stream: SessionStream, seq: number): Promise<void> {
  if (stream.seq >= seq) return Promise.resolve();
  return new Promise((resolve) => {
    // Registered after the stream's own listeners, so these see its seq already moved on.
    const check = () => {
      if (stream.seq >= seq) done();
    };
    const unsubscribe = [socket.onMessage(check), socket.onOutput(check)];
    const done = () => {
      for (const off of unsubscribe) off();
      resolve();
    };
    void stream.ended.then(done);
  });
}
