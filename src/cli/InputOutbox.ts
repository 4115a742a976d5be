/**
 * Input a CLI client must not lose to a hub that dies (SIGKILL, a restart) or a link that drops:
 * each one is numbered (`input.id`: this process's stream and a seq) and kept until the hub
 * acknowledges it. Whatever a connection took down with it unacknowledged is sent again, in
 * order and with the same ids, over the next one (`resend`); the hub and the session's host
 * apply an id once, so an input that did arrive (only its receipt was lost) is not applied
 * twice. It serves `dispatch chat` (its messages) and `dispatch attach` (its keys, through
 * `attached/Connection.ts`). docs/PROTOCOL.md, "Keys over a link that dies silently".
 */
import { randomBytes } from "node:crypto";
import type { ClientSocket } from "./ClientSocket.js";

interface Outgoing {
  session: string;
  data: string;
  seq: number;
  /** The connection it was last sent over, while its receipt is awaited there. */
  on: ClientSocket | undefined;
}

export class InputOutbox {
  /** This client's name for its inputs, the same across its connections (8-64 characters). */
  private readonly stream = `cli-${randomBytes(12).toString("base64url")}`;
  private nextSeq = 1;
  /** Sent or waiting, not yet acknowledged; oldest first. */
  private readonly outgoing: Outgoing[] = [];

  /** `refused`: the hub answered an input with an error (the session ended, a role changed). */
  constructor(private readonly refused: (err: Error) => void) {}

  /**
   * Sends `data` to `session` over `socket`; when that connection is closed, or older inputs
   * still wait for a connection, it waits with them for `resend`.
   */
  send(socket: ClientSocket, session: string, data: string): void {
    const waiting = this.outgoing.some((entry) => entry.on !== socket);
    const entry: Outgoing = { session, data, seq: this.nextSeq++, on: undefined };
    this.outgoing.push(entry);
    if (!waiting) this.transmit(socket, entry);
  }

  /** Connected again: sends, in order, every input no open connection carries. */
  resend(socket: ClientSocket): void {
    for (const entry of this.outgoing) if (!entry.on?.isOpen) this.transmit(socket, entry);
  }

  private transmit(socket: ClientSocket, entry: Outgoing): void {
    if (!socket.isOpen) return;
    entry.on = socket;
    const { session, data, seq } = entry;
    socket.request({ type: "input", session, data, id: { stream: this.stream, seq } }).then(
      () => this.remove(entry),
      (err: unknown) => {
        // Sent again over a newer connection meanwhile: that one's answer counts.
        if (entry.on !== socket) return;
        // The connection ended before the receipt: kept for the next one.
        if (!socket.isOpen) {
          entry.on = undefined;
          return;
        }
        this.remove(entry);
        this.refused(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }

  private remove(entry: Outgoing): void {
    const index = this.outgoing.indexOf(entry);
    if (index >= 0) this.outgoing.splice(index, 1);
  }
}
