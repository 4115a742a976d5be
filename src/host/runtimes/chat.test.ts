/**
 * A chat's line at an attached terminal: Up brings back the messages sent before, the
 * conversation's own (a fork's included) and the ones the typist sent since. The provider is never
 * reached: without its API key each reply fails at once, which is all this needs.
 */
import { describe, expect, it } from "vitest";
import { ChatRuntime } from "./chat.js";

function chat() {
  let output = "";
  const sent: string[] = [];
  const runtime = new ChatRuntime({
    spec: {
      options: {
        provider: "openai",
        profile: "test",
        model: "m",
        apiKeyEnv: "DISPATCH_TEST_NO_SUCH_KEY",
        history: [
          { role: "user", text: "from the fork" },
          { role: "assistant", text: "hello" },
        ],
      },
      cols: 80,
      rows: 24,
      afterSeq: 0,
      cwd: "/",
    } as never,
    env: {},
    events: {
      output: (data) => {
        output += Buffer.from(data).toString("utf8");
      },
      emit: (type, data) => {
        if (type === "chat" && data.role === "user") sent.push(String(data.text));
        return 0;
      },
    },
    exited: () => undefined,
    runDir: "/nonexistent",
    name: () => "c-nokey",
  });
  /** What the terminal shows on the line being typed: the output after its last prompt. */
  const line = () => output.slice(output.lastIndexOf("\x1b[1m>\x1b[0m "));
  return {
    runtime,
    line,
    sent,
    output: () => output,
    settled: () => new Promise((resolve) => setImmediate(resolve)),
  };
}

describe("a chat's typed line", () => {
  it("brings back earlier messages with Up, the newest first", async () => {
    const c = chat();
    // One key per input, as a terminal sends them (a whole line in one input is a message).
    for (const key of ["h", "i", "\r"]) c.runtime.input(key);
    await c.settled();
    c.runtime.input("\x1b[A");
    await c.settled();
    expect(c.line()).toBe("\x1b[1m>\x1b[0m hi");
    c.runtime.input("\x1b[A");
    await c.settled();
    expect(c.line()).toBe("\x1b[1m>\x1b[0m from the fork");
    c.runtime.dispose();
  });

  it("takes a paste of several lines that comes in several inputs as one message, sent on Enter", async () => {
    const c = chat();
    // Numbered, as an attached terminal's inputs are: that is what makes them one paste.
    c.runtime.input("\x1b[200~first line\n", { by: "ann", stream: "terminal1" });
    // The middle of the paste reads like a whole message; it is not one.
    c.runtime.input("second line\n", { by: "ann", stream: "terminal1" });
    c.runtime.input("third\x1b[201~", { by: "ann", stream: "terminal1" });
    await c.settled();
    expect(c.sent).toEqual(["from the fork"]);
    c.runtime.input("\r", { by: "ann", stream: "terminal1" });
    await c.settled();
    expect(c.sent).toEqual(["from the fork", "first line\nsecond line\nthird"]);
    c.runtime.dispose();
  });

  it("sends another client's whole message during a paste in pieces as its own, and the paste whole", async () => {
    const c = chat();
    // A paste at an attached terminal (its inputs numbered in the stream "terminal1").
    c.runtime.input("\x1b[200~first line\n", { by: "ann", stream: "terminal1" });
    c.runtime.input("second line\n", { by: "ann", stream: "terminal1" });
    // A line piped to `dispatch chat`, the same person's other client: its own message, now.
    c.runtime.input("piped line\n", { by: "ann", stream: "chatcli1" });
    await c.settled();
    expect(c.sent).toEqual(["from the fork", "piped line"]);
    // A key typed meanwhile at another terminal goes on the line everyone shares, and does not
    // make the paste that terminal's: its next middle piece, read like a message, is paste.
    c.runtime.input("!", { by: "bob", stream: "terminal2" });
    c.runtime.input("third line\n", { by: "ann", stream: "terminal1" });
    c.runtime.input("end\x1b[201~\r", { by: "ann", stream: "terminal1" });
    await c.settled();
    expect(c.sent).toEqual(["from the fork", "piped line", "first line\nsecond line\n!third line\nend"]);
    c.runtime.dispose();
  });

  it("brings back with Up the typist's own messages, and the conversation's from before", async () => {
    const c = chat();
    for (const key of ["a", "n", "n", "\r"]) c.runtime.input(key, { by: "ann" });
    c.runtime.input("from bob\n", { by: "bob" });
    await c.settled();
    c.runtime.input("\x1b[A", { by: "ann" });
    await c.settled();
    expect(c.line()).toBe("\x1b[1m>\x1b[0m ann");
    c.runtime.input("\x1b[A", { by: "ann" });
    await c.settled();
    expect(c.line()).toBe("\x1b[1m>\x1b[0m from the fork");
    c.runtime.input("\x15\x1b[A", { by: "bob" });
    await c.settled();
    expect(c.line()).toBe("\x1b[1m>\x1b[0m from bob");
    c.runtime.dispose();
  });

  it("puts a message whose reply failed back on the line, for Enter to send again", async () => {
    const c = chat();
    c.runtime.input("hi\n");
    await c.settled();
    expect(c.line()).toBe("\x1b[1m>\x1b[0m hi");
    expect(c.output()).toContain("it is on the line below: Enter sends it again");
    expect(c.runtime.foreground()).toBe("unanswered: no API key");
    // What to do, with what to type by the chat's name.
    expect(c.output()).toContain(
      "no API key: DISPATCH_TEST_NO_SUCH_KEY is not set in the host's environment: start the host with DISPATCH_TEST_NO_SUCH_KEY set (`dispatch stop --all`, then `dispatch start`), then `dispatch revive c-nokey` starts it again, with the conversation so far",
    );
    c.runtime.input("\r");
    await c.settled();
    expect(c.sent).toEqual(["from the fork", "hi", "hi"]);
    // A whole message from elsewhere (the web's box) goes as it is, not after the line offered.
    c.runtime.input("other\n");
    await c.settled();
    expect(c.sent).toEqual(["from the fork", "hi", "hi", "other"]);
    expect(c.line()).toBe("\x1b[1m>\x1b[0m other");
    c.runtime.dispose();
  });

  it("leaves a line being typed as it is when a reply fails: Up brings the message back", async () => {
    const c = chat();
    c.runtime.input("hi\n");
    c.runtime.input("n");
    await c.settled();
    expect(c.line()).toBe("\x1b[1m>\x1b[0m n");
    expect(c.output()).toContain(
      "(your message was not answered and is not part of the conversation; Up brings it back to send again)",
    );
    c.runtime.input("\x15\x1b[A");
    await c.settled();
    expect(c.line()).toBe("\x1b[1m>\x1b[0m hi");
    c.runtime.dispose();
  });
});
