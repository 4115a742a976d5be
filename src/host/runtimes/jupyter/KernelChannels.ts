/**
 * The four ZeroMQ sockets to one kernel and what reads each: Dealers for shell and control
 * (`RequestChannels.ts`) and for stdin (`stdin.ts`), a Subscriber for iopub (`IopubReader.ts`).
 * Made, connected and closed together; apart from `Kernel.ts`, which runs the kernel's process
 * and lifecycle, because the sockets share nothing with the process but its connection file.
 * The heartbeat, started only once the kernel answers, stays with the kernel.
 */
import type { Dealer, Subscriber } from "zeromq";
import { type Channel, type ConnectionInfo, channelAddress } from "./connection.js";
import { type IopubHandlers, IopubReader } from "./IopubReader.js";
import { RequestChannels } from "./RequestChannels.js";
import { StdinChannel, type StdinHandlers } from "./stdin.js";
import type { Signer } from "./wire.js";

export class KernelChannels {
  readonly requests: RequestChannels;
  readonly stdin: StdinChannel;
  readonly iopub: IopubReader;
  private readonly shellSocket: Dealer;
  private readonly controlSocket: Dealer;
  private readonly stdinSocket: Dealer;
  private readonly iopubSocket: Subscriber;

  constructor(
    zmq: typeof import("zeromq"),
    signer: Signer,
    session: string,
    options: { iopubQueueMessages: number; onDropped: (channel: Channel, reason: string) => void },
  ) {
    // The kernel sends `input_request` to the identity the execute request came from on shell.
    this.shellSocket = new zmq.Dealer({ linger: 0, routingId: session });
    this.controlSocket = new zmq.Dealer({ linger: 0 });
    this.requests = new RequestChannels(
      { shell: this.shellSocket, control: this.controlSocket },
      signer,
      session,
      options.onDropped,
    );
    this.stdinSocket = new zmq.Dealer({ linger: 0, routingId: session });
    this.stdin = new StdinChannel(this.stdinSocket, signer, session);
    const queue = options.iopubQueueMessages;
    this.iopubSocket = new zmq.Subscriber({ linger: 0, receiveHighWaterMark: queue });
    this.iopub = new IopubReader(this.iopubSocket, signer, queue);
  }

  /** Connects every socket to the kernel's ports and reads each until it closes. */
  connect(info: ConnectionInfo, handlers: StdinHandlers & IopubHandlers): void {
    this.shellSocket.connect(channelAddress(info, "shell"));
    this.controlSocket.connect(channelAddress(info, "control"));
    this.stdinSocket.connect(channelAddress(info, "stdin"));
    this.iopubSocket.connect(channelAddress(info, "iopub"));
    this.iopubSocket.subscribe();
    this.requests.read();
    void this.stdin.read(handlers);
    void this.iopub.read(handlers);
  }

  close(): void {
    for (const socket of [this.shellSocket, this.controlSocket, this.stdinSocket, this.iopubSocket]) {
      try {
        socket.close();
      } catch {
        // Closing twice is fine.
      }
    }
  }
}
