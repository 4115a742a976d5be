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
  return { heard, read: (text: string) => prefixKeys.read(Buffer.from(text, "latin1")) };
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

  it("sends the prefix key itself when pressed twice; PageUp after it opens the history", () => {
    const { heard, read } = keys();
    read("\x1d\x1d");
    read("\x1d\x1b[5~");
    read("\x1d?");
    expect(heard).toEqual(["\x1d", { type: "history" }, { type: "ask", mode: "help" }]);
  });
});
