/**
 * When `dispatch chat`'s turn ends: with the reply to the line sent from its prompt, not the
 * first reply that comes (a replayed one, or the reply to someone else's message ahead of it).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { JsonEvent } from "../../protocol/events.js";
import { ChatPrinter } from "./ChatPrinter.js";

let seq = 0;
const chat = (data: Record<string, unknown>): JsonEvent => ({
  session: "s1",
  seq: ++seq,
  ts: 0,
  type: "chat",
  data,
});
const user = (text: string) => chat({ role: "user", text });
const reply = (text: string) => chat({ role: "assistant", text, model: "m", usage: null, cancelled: false });
const failed = () => chat({ role: "error", code: "server_error", message: "overloaded" });

let printed: string;
let turns: number;
let printer: ChatPrinter;

beforeEach(() => {
  printed = "";
  turns = 0;
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    printed += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  });
  printer = new ChatPrinter({ name: () => "c1", turnEnded: () => turns++ });
});
afterEach(() => vi.restoreAllMocks());

/** Output bytes of the reply streaming now. */
const output = (text: string) => printer.output(Buffer.from(text));

describe("a turn of dispatch chat", () => {
  it("does not end with the conversation replayed after the line was sent", () => {
    printer.sent("and again");
    printer.event(user("hello there"));
    output("Hello from Claude");
    printer.event(reply("Hello from Claude"));
    expect(turns).toBe(0);

    printer.event(user("and again"));
    output("Hello once more");
    printer.event(reply("Hello once more"));
    expect(turns).toBe(1);
    // The replayed message is shown; the line typed here is not printed a second time.
    expect(printed).toBe("[c1] > hello there\nHello from Claude\nHello once more\n");
  });

  it("waits behind the reply to someone else's message, and ends with its own failed reply", () => {
    printer.sent("second");
    printer.event(user("first"));
    printer.event(reply("one"));
    expect(turns).toBe(0);
    printer.event(user("second"));
    printer.event(failed());
    expect(turns).toBe(1);
    // A later reply (someone else's) ends no turn: none is in progress.
    printer.event(user("third"));
    printer.event(reply("three"));
    expect(turns).toBe(1);
  });

  it("knows the line behind what someone had half typed at an attached terminal", () => {
    printer.sent("  the line ");
    printer.event(user("half typed the line"));
    printer.event(reply("ok"));
    expect(turns).toBe(1);
  });

  it("ends with the next reply to end after Ctrl-C, which drops the line if it was waiting", () => {
    printer.sent("second");
    printer.event(user("first"));
    printer.interrupted();
    printer.event(chat({ role: "assistant", text: "on", model: "m", usage: null, cancelled: true }));
    expect(turns).toBe(1);
  });

  it("ends when the chat ends", () => {
    printer.sent("hello");
    printer.event({ session: "s1", seq: ++seq, ts: 0, type: "exit", data: { code: 0, signal: null } });
    expect(turns).toBe(1);
  });
});
