/**
 * A kernel's shell and control channels, where the host asks and the kernel answers: each
 * request's reply is found by its `parent_header.msg_id`. A reply that fails to decode or verify
 * is dropped and reported through `onDropped`, never acted on.
 */
import type { Dealer } from "zeromq";
import { DispatchError } from "../../../core/errors.js";
import type { Channel } from "./connection.js";
import { decode, encode, type JupyterMessage, newHeader, type Signer } from "./wire.js";

interface Pending {
  resolve(message: JupyterMessage): void;
  reject(error: Error): void;
}

export class RequestChannels {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly sockets: { shell: Dealer; control: Dealer },
    private readonly signer: Signer,
    private readonly session: string,
    private readonly onDropped: (channel: Channel, reason: string) => void,
  ) {}

  /** Reads both channels' replies until their sockets close. */
  read(): void {
    void this.readReplies(this.sockets.shell, "shell");
    void this.readReplies(this.sockets.control, "control");
  }

  /** Sends a request; `reply` settles with the answer (rejects if `failAll` comes first). */
  request(
    channel: "shell" | "control",
    msgType: string,
    content: Record<string, unknown>,
  ): { id: string; reply: Promise<JupyterMessage> } {
    const header = newHeader(msgType, this.session);
    const reply = new Promise<JupyterMessage>((resolve, reject) => {
      this.pending.set(header.msg_id, { resolve, reject });
    });
    reply.catch(() => undefined);
    this.sockets[channel]
      .send(encode(this.signer, { header, parent: {}, metadata: {}, content }))
      .catch((err: unknown) => {
        this.settle(header.msg_id)?.reject(err instanceof Error ? err : new Error(String(err)));
      });
    return { id: header.msg_id, reply };
  }

  /** Every request still waiting fails with `error` (the kernel exited or was stopped). */
  failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  private async readReplies(socket: Dealer, channel: Channel): Promise<void> {
    try {
      for await (const frames of socket) {
        const decoded = decode(this.signer, frames);
        if (!decoded.ok) {
          this.onDropped(channel, decoded.reason);
          continue;
        }
        const parentId = decoded.message.parent.msg_id;
        if (parentId) this.settle(parentId)?.resolve(decoded.message);
      }
    } catch {
      // The socket was closed.
    }
  }

  private settle(id: string): Pending | undefined {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    return pending;
  }
}

/** The error a request gets when the kernel is gone. */
export const notRunning = () => new DispatchError("session_exited", "the kernel is not running");
