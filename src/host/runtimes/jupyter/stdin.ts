/**
 * A kernel's stdin channel: where code that calls `input()` asks its frontend for a line
 * (`input_request`) and gets it back (`input_reply`), per the Jupyter messaging spec. The
 * kernel sends the request to the identity its execute request came from on shell, so this
 * Dealer and the shell's must share one routing id (as jupyter_client's channels do); the
 * kernel asks only when the execute request said `allow_stdin: true`. Its ROUTER drops a request
 * to an identity it has not yet met, and the kernel then waits for a reply that never comes:
 * `routed` settles once this channel's connection is through ZeroMQ's handshake, and a kernel
 * counts as started only then (the connect is retried every 100-200 ms until the kernel binds,
 * each channel on its own timer, so shell can be up well before stdin).
 */
import type { Dealer } from "zeromq";
import type { Channel } from "./connection.js";
import { decode, encode, type JupyterMessage, newHeader, type Signer } from "./wire.js";

export interface StdinHandlers {
  /** The kernel waits for a line: `message` is its `input_request` (prompt, password). */
  onInputRequest(message: JupyterMessage): void;
  onDropped(channel: Channel, reason: string): void;
}

export class StdinChannel {
  /** Settles once the kernel's stdin socket knows this channel (made before it connects). */
  readonly routed: Promise<void>;

  constructor(
    private readonly socket: Dealer,
    private readonly signer: Signer,
    private readonly session: string,
  ) {
    this.routed = new Promise((resolve) => {
      const met = () => {
        socket.events.off("handshake", met);
        resolve();
      };
      socket.events.on("handshake", met);
    });
  }

  /** Reads the kernel's requests until the socket closes. */
  async read(handlers: StdinHandlers): Promise<void> {
    try {
      for await (const frames of this.socket) {
        const decoded = decode(this.signer, frames);
        if (!decoded.ok) {
          handlers.onDropped("stdin", decoded.reason);
          continue;
        }
        if (decoded.message.header.msg_type === "input_request") handlers.onInputRequest(decoded.message);
      }
    } catch {
      // The socket was closed.
    }
  }

  /** Answers the kernel's `input_request` with the line the user typed. */
  async reply(request: JupyterMessage, value: string): Promise<void> {
    await this.socket.send(
      encode(this.signer, {
        header: newHeader("input_reply", this.session),
        parent: request.header,
        metadata: {},
        content: { value },
      }),
    );
  }
}
