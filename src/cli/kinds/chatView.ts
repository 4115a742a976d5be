/**
 * `dispatch chat`'s prompt: one chat at a time, rendered from its `chat` events and the reply's
 * streamed output. It carries on through hub restarts as `dispatch attach` does: when the hub
 * goes away it says so, finds the hub again and attaches after the last seq it showed, so the
 * rest of a reply shows once and nothing twice; a message typed meanwhile waits and is sent
 * once the hub is back, and one the hub died before acknowledging is sent again (`InputOutbox`),
 * applied once. It gives up after `DISPATCH_RECONNECT_GIVE_UP_MS`, saying so.
 */
import { createInterface, type Interface } from "node:readline";
import { DispatchError } from "../../core/errors.js";
import { chatKind } from "../../kinds/chat/index.js";
import { ChatOptions } from "../../kinds/chat/options.js";
import type { SessionInfo } from "../../protocol/session.js";
import { reconnectToHub } from "../attached/reconnect.js";
import { reconnectGiveUpMs } from "../attached/reconnectSettings.js";
import type { ClientSocket } from "../ClientSocket.js";
import { UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";
import { InputOutbox } from "../InputOutbox.js";
import { SessionStream } from "../SessionStream.js";
import { ChatPrinter } from "./ChatPrinter.js";
import { messageOf, tooLong } from "./chatLine.js";
import { replayShown } from "./chatReplay.js";

const CHAT = chatKind.name;
/** The client's name in `hello` (the hub's logs). */
const CLIENT = "dispatch-chat";

/** Makes a chat session; `name` undefined lets the hub pick one. */
export type CreateChat = (
  hub: HubClient,
  name: string | undefined,
  options: Record<string, unknown>,
) => Promise<SessionInfo>;

export class ChatView {
  private current: SessionInfo | undefined;
  private stream: SessionStream | undefined;
  /** The stream being attached over a new connection, and what it replayed before it is shown. */
  private resuming: { stream: SessionStream; replay: Array<() => void> } | undefined;
  /** What the chat shown prints; it says when a turn is over. */
  private readonly printer = new ChatPrinter({
    name: () => this.current?.name,
    turnEnded: () => this.endTurn(),
  });
  private turnEnd: (() => void) | undefined;
  /** While the hub is away: settles true once it is back, false when the client stops trying. */
  private away: Promise<boolean> | undefined;
  /** Why the client stopped trying to reach the hub: the command's error. */
  private failure: Error | undefined;
  private leaving = false;
  private leave!: () => void;
  /** Settles when the client leaves: a wait between tries ends with it. */
  private readonly left = new Promise<void>((resolve) => {
    this.leave = resolve;
  });
  private prompt: Interface | undefined;
  /** A message is waiting for the hub to be back: the prompt is not drawn meanwhile. */
  private holding = false;
  /** Messages until the hub's receipt: one sent as the hub died is sent again once it is back. */
  private readonly outbox = new InputOutbox({
    refused: (err) => this.refused(err),
    holding: (message) => this.notice(message),
  });

  private constructor(
    private hub: HubClient,
    private socket: ClientSocket,
    private readonly create: CreateChat,
  ) {
    this.watch(socket);
  }

  static async open(hub: HubClient, create: CreateChat): Promise<ChatView> {
    return new ChatView(hub, await hub.connect(CLIENT), create);
  }

  async switchTo(session: SessionInfo): Promise<void> {
    const previous = this.current;
    this.stream?.dispose();
    this.stream = undefined;
    if (previous) await this.socket.detach(previous.id).catch(() => undefined);
    this.current = session;
    this.printer.switched();
    const stream = this.streamOn(this.socket);
    this.stream = stream;
    const attached = await stream.attach(session.id, { afterSeq: 0, snapshot: false });
    await replayShown(this.socket, stream, attached.lastSeq);
  }

  async run(): Promise<void> {
    const rl = createInterface({
      input: process.stdin,
      output: process.stdout,
      terminal: process.stdin.isTTY === true,
    });
    this.prompt = rl;
    const closed = new Promise<false>((resolve) => rl.once("close", () => resolve(false)));
    const prompt = () => {
      rl.setPrompt(`[${this.current?.name}] > `);
      rl.prompt();
    };
    rl.on("SIGINT", () => {
      if (this.turnEnd && this.current && !this.away) {
        this.printer.interrupted();
        this.socket.input(this.current.id, "\x03");
      } else {
        // At the prompt, or while the hub is away (a reply cannot be cancelled then): leave.
        rl.close();
        this.endTurn();
      }
    });
    prompt();
    for await (const line of rl) {
      const message = messageOf(line);
      const text = message.trim();
      if (text === "/quit" || text === "/exit") break;
      if (text.startsWith("/")) {
        await this.command(text).catch((err: unknown) => {
          process.stdout.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
        });
      } else if (text.length > 0 && this.current && tooLong(message)) {
        process.stdout.write(`${tooLong(message)}\n`);
      } else if (text.length > 0 && this.current) {
        if (this.away) {
          this.holding = true;
          this.notice("the hub is away: this message is sent once it is back");
          const back = await Promise.race([this.away, closed]);
          this.holding = false;
          if (!back) break;
        }
        const ended = new Promise<void>((resolve) => {
          this.turnEnd = resolve;
        });
        this.printer.sent(message);
        this.outbox.send(this.socket, this.current.id, `${message}\r`);
        // A hub away meanwhile does not end the turn: the reply's rest comes once it is back.
        await Promise.race([ended, this.left]);
      }
      if (this.failure) break;
      prompt();
    }
    rl.close();
    if (this.failure) throw this.failure;
  }

  /** Leaves: stops trying to reach the hub, closes the connection. */
  async close(): Promise<void> {
    this.leaving = true;
    this.leave();
    this.stream?.dispose();
    await this.socket.close();
  }

  private async command(text: string): Promise<void> {
    const [command, arg] = text.split(/\s+/, 2);
    switch (command) {
      case "/sessions": {
        const chats = (await this.hub.listSessions()).filter((s) => s.kind === CHAT);
        for (const chat of chats) {
          const mark = chat.id === this.current?.id ? "*" : " ";
          process.stdout.write(`${mark} ${chat.name}  ${chat.status}  ${chat.preview.slice(0, 60)}\n`);
        }
        return;
      }
      case "/switch":
        if (!arg) throw new UsageError("usage: /switch NAME");
        return this.switchTo(await this.hub.getSession(arg));
      case "/new": {
        const settings = ChatOptions.partial().parse(this.current?.options ?? {});
        const { history: _h, forkedFrom: _f, ...options } = settings;
        return this.switchTo(await this.create(this.hub, arg, options));
      }
      default:
        process.stdout.write("commands: /sessions, /switch NAME, /new [NAME], /quit\n");
    }
  }

  /**
   * A stream of the chat over `socket`. What a stream attached over a new connection replays
   * waits until it is shown (`resume`), after the line saying the hub is back.
   */
  private streamOn(socket: ClientSocket): SessionStream {
    const show = (fn: () => void) => {
      if (stream === this.stream) fn();
      else if (stream === this.resuming?.stream) this.resuming.replay.push(fn);
    };
    const stream: SessionStream = new SessionStream(socket, {
      output: (data) => show(() => this.printer.output(data)),
      event: (event) => show(() => this.printer.event(event)),
    });
    return stream;
  }

  private watch(socket: ClientSocket): void {
    socket.onClose(() => {
      if (socket === this.socket && !this.leaving && !this.away) this.lost();
    });
  }

  /** The hub went away: said, and tried again until it is back or the client gives up. */
  private lost(): void {
    this.notice("lost the hub; reconnecting… (a message you send meanwhile goes once it is back)");
    this.away = this.reconnect().finally(() => {
      this.away = undefined;
    });
  }

  private async reconnect(): Promise<boolean> {
    for (;;) {
      let outcome: Awaited<ReturnType<typeof reconnectToHub>>;
      try {
        outcome = await reconnectToHub({
          client: CLIENT,
          relocate: () => HubClient.locate(),
          finished: () => this.leaving,
          ended: this.left,
          resume: (socket, hub) => this.resume(socket, hub),
        });
      } catch (err) {
        return this.stop(err instanceof Error ? err : new Error(String(err)));
      }
      if (outcome === "left") return false;
      if (outcome === "gave-up") {
        const name = this.current?.name ?? "NAME";
        return this.stop(
          new DispatchError(
            "host_unavailable",
            `lost the connection to the hub and could not reach it again within ${Math.round(reconnectGiveUpMs() / 1000)} s (DISPATCH_RECONNECT_GIVE_UP_MS); the chat keeps its conversation: \`dispatch chat ${name}\` goes on once the hub is back`,
          ),
        );
      }
      // Gone again before it was watched: another round.
      if (this.socket.isOpen) return true;
    }
  }

  /** Stops trying: the prompt ends, and the command fails with `failure`. */
  private stop(failure: Error): false {
    this.failure = failure;
    this.prompt?.close();
    this.endTurn();
    return false;
  }

  /** Carries on over a new connection: the chat from just after the last seq shown. */
  private async resume(socket: ClientSocket, hub: HubClient): Promise<void> {
    const current = this.current;
    const old = this.stream;
    const stream = current && old ? this.streamOn(socket) : undefined;
    if (stream && current && old) {
      this.resuming = { stream, replay: [] };
      try {
        await stream.attach(current.id, { afterSeq: old.seq, snapshot: false });
      } catch (err) {
        stream.dispose();
        this.resuming = undefined;
        throw err;
      }
    }
    if (this.leaving) {
      stream?.dispose();
      await socket.close();
      return;
    }
    const replay = this.resuming?.replay ?? [];
    this.resuming = undefined;
    old?.dispose();
    this.stream = stream;
    this.socket = socket;
    this.hub = hub;
    this.watch(socket);
    this.notice("the hub is back");
    for (const show of replay) show();
    this.outbox.resend(socket);
  }

  /** The hub refused a message (the chat ended meanwhile): said, and the turn is over. */
  private refused(err: Error): void {
    process.stdout.write(`[${this.current?.name}] not sent: ${err.message}\n`);
    this.endTurn();
  }

  /** A line about the connection, on its own line; the prompt is drawn again if it was up. */
  private notice(text: string): void {
    process.stdout.write(`\n[${this.current?.name}] ${text}\n`);
    if (!this.turnEnd && !this.holding) this.prompt?.prompt(true);
  }

  private endTurn(): void {
    const end = this.turnEnd;
    this.turnEnd = undefined;
    end?.();
  }
}
