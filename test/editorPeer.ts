/**
 * A collaborator on an editor session as a page is one, without the page: a Y.Doc attached
 * over the client WebSocket, applying the session's `update` events and sending its own
 * changes as `input`. Used by the editor tests and the editor benchmark.
 */
import WebSocket from "ws";
import * as Y from "yjs";

const REMOTE = Symbol("remote");

export class EditorPeer {
  readonly doc = new Y.Doc();
  lastSeq = 0;
  /** Seq of the hub's document snapshot this peer started from (0: it replayed the whole log). */
  snapshotSeq = 0;
  /** Called with each applied remote update's seq (the benchmark times them). */
  onRemote: ((seq: number) => void) | undefined;
  private nextRef = 1;

  private constructor(
    private readonly socket: WebSocket,
    readonly session: string,
    readonly client: string,
  ) {
    socket.on("message", (raw, isBinary) => {
      if (isBinary) return;
      const message = JSON.parse(raw.toString()) as {
        type: string;
        session?: string;
        seq?: number;
        data?: string;
        event?: { session: string; seq: number; type: string; data: { update?: string } };
      };
      if (message.type === "snapshot" && message.session === this.session && message.data) {
        Y.applyUpdate(this.doc, new Uint8Array(Buffer.from(message.data, "base64")), REMOTE);
        this.snapshotSeq = message.seq ?? 0;
        this.lastSeq = Math.max(this.lastSeq, this.snapshotSeq);
        return;
      }
      const event = message.event;
      if (message.type !== "event" || !event || event.session !== this.session) return;
      if (event.seq <= this.lastSeq) return;
      this.lastSeq = event.seq;
      if (event.type === "update" && event.data.update) {
        Y.applyUpdate(this.doc, new Uint8Array(Buffer.from(event.data.update, "base64")), REMOTE);
        this.onRemote?.(event.seq);
      }
    });
    this.doc.on("update", (update: Uint8Array, origin: unknown) => {
      if (origin === REMOTE) return;
      const data = JSON.stringify({ type: "update", update: Buffer.from(update).toString("base64"), client });
      this.socket.send(JSON.stringify({ type: "input", ref: this.nextRef++, session: this.session, data }));
    });
  }

  static async open(options: {
    url: string;
    key: string;
    session: string;
    client: string;
    /** Start from the hub's latest document snapshot rather than the whole log. */
    fromSnapshot?: boolean;
  }): Promise<EditorPeer> {
    const socket = new WebSocket(`${options.url.replace(/^http/, "ws")}/ws`, {
      headers: { authorization: `Bearer ${options.key}` },
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    // Session ids are what events carry; the attach reply gives it.
    const reply = (ref: number) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const listen = (raw: WebSocket.RawData, isBinary: boolean) => {
          if (isBinary) return;
          const message = JSON.parse(raw.toString()) as Record<string, unknown>;
          if (message.ref !== ref) return;
          socket.off("message", listen);
          resolve(message);
        };
        socket.on("message", listen);
      });
    const hello = reply(1);
    socket.send(JSON.stringify({ type: "hello", ref: 1, protocol: 1, client: options.client }));
    await hello;
    const attachedReply = reply(2);
    // Events that arrive before the peer exists are kept and replayed to it.
    const early: WebSocket.RawData[] = [];
    const buffer = (raw: WebSocket.RawData, isBinary: boolean) => {
      if (!isBinary) early.push(raw);
    };
    socket.on("message", buffer);
    socket.send(
      JSON.stringify({
        type: "attach",
        ref: 2,
        session: options.session,
        afterSeq: 0,
        snapshot: options.fromSnapshot === true,
      }),
    );
    const attached = await attachedReply;
    socket.off("message", buffer);
    if (attached.type === "error") throw new Error(String(attached.message));
    const id = (attached.session as { id: string }).id;
    const peer = new EditorPeer(socket, id, options.client);
    for (const raw of early) socket.emit("message", raw, false);
    return peer;
  }

  get text(): string {
    return this.doc.getText("text").toString();
  }

  close(): void {
    this.socket.close();
  }
}
