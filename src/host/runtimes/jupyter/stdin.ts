/**
 * A kernel's stdin channel: where code that calls `input()` asks its frontend for a line
 * (`input_request`) and gets it back (`input_reply`), per the Jupyter messaging spec. The
 * kernel sends the request to the identity its execute request came from on shell, so this
 * Dealer and the shell's must share one routing id (as jupyter_client's channels do); the
 * kernel asks only when the execute request said `allow_stdin: true`.
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
  constructor(
    private readonly socket: Dealer,
    private readonly signer: Signer,
    private readonly session: string,
  ) {}

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
