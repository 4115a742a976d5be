import { describe, expect, it } from "vitest";
import { parseDetachKey } from "../detachKey.js";
import { type PrefixCommand, PrefixKeys } from "./PrefixKeys.js";

/** Keys as the default config has them: Ctrl-\ detaches, Ctrl-] is the prefix. */
function keys() {
  const heard: Array<string | PrefixCommand> = [];
  const prefixKeys = new PrefixKeys(
    { detachKey: parseDetachKey("ctrl-\\"), prefixKey: parseDetachKey("ctrl-]") },
    {
      // What the session gets; an empty send delivers nothing.
      send: (bytes) => bytes.length > 0 && heard.push(Buffer.from(bytes).toString("latin1")),
      run: (command) => heard.push(command),
      pendingChanged: () => heard.push(prefixKeys.pending ? "(prefix…)" : "(prefix done)"),
    },
  );
  return {
    heard,
    /** Reads a chunk; returns the keys it hands back (typed after a command), as text. */
    read: (text: string) => prefixKeys.read(Buffer.from(text, "latin1"))?.toString("latin1"),
  };
}

describe("PrefixKeys", () => {
  it("sends what is typed, up to the detach key, then detaches", () => {
    const { heard, read } = keys();
    read("ls\r");
    read("ex\x1cit");
    // First in the chunk, the detach key wins over a prefix command after it.
    read("\x1c\x1d]");
    expect(heard).toEqual(["ls\r", "ex", { type: "detach" }, { type: "detach" }]);
  });

  it("takes the key after the prefix as a command, in the same chunk or the next", () => {
    const { heard, read } = keys();
    read("a\x1d]");
    read("\x1d");
    read("n");
    read("b");
    expect(heard).toEqual(["a", { type: "step", by: 1 }, "(prefix…)", "(prefix done)", { type: "new" }, "b"]);
  });

  it("hands back the keys typed after a command in the same chunk, a detach key among them", () => {
    const { heard, read } = keys();
    // A paste or fast typing: the prefix command, then the detach key.
    expect(read("\x1dn\x1c")).toBe("\x1c");
    expect(read("\x1c")).toBeUndefined();
    // After the prefix pressed twice, after PageUp, after a pending prefix, after an unknown key.
    expect(read("\x1d\x1dls\r")).toBe("ls\r");
    expect(read("\x1d\x1b[5~q")).toBe("q");
    read("\x1d");
    expect(read("]\x1dw")).toBe("\x1dw");
    // An unknown key after the prefix is dropped whole (an arrow's sequence), nothing more.
    expect(read("\x1d\x1b[Bx")).toBe("x");
    expect(read("\x1d\xc3\xa9\x1c")).toBe("\x1c"); // é, two bytes in UTF-8
    expect(heard).toEqual([
      { type: "new" },
      { type: "detach" },
      "\x1d",
      { type: "history" },
      "(prefix…)",
      "(prefix done)",
      { type: "step", by: 1 },
    ]);
  });

  it("sends the prefix key itself when pressed twice; PageUp after it opens the history", () => {
    const { heard, read } = keys();
    read("\x1d\x1d");
    read("\x1d\x1b[5~");
    read("\x1d?");
    expect(heard).toEqual(["\x1d", { type: "history" }, { type: "ask", mode: "help" }]);
  });
});
