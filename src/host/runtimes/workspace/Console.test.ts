import { describe, expect, it } from "vitest";
import { PASTE_MODE_ON } from "../LineEditor.js";
import { Console } from "./Console.js";
import { guessCompleteness } from "./kernelQueries.js";
import { Transcript } from "./Transcript.js";

/** A console over a real transcript, whose output is collected as text. */
function typing(judge = guessCompleteness) {
  let screen = "";
  const ran: string[] = [];
  const senders: (string | undefined)[] = [];
  const transcript = new Transcript({
    output: (data) => {
      screen += Buffer.from(data).toString("utf8");
    },
    emit: () => 0,
  });
  const console = new Console({
    echo: (text) => transcript.echo(text),
    atLineStart: () => transcript.atLineStart,
    evaluate: (code, by) => {
      transcript.typedCell(code);
      ran.push(code);
      senders.push(by?.name);
    },
    pendingPrompt: () => undefined,
    answer: () => undefined,
    interrupt: () => undefined,
    completeness: async (code) => judge(code),
    complete: async () => ({ note: "no kernel here" }),
    cols: () => undefined,
  });
  transcript.below(console);
  const settled = () => new Promise((resolve) => setImmediate(resolve));
  return { console, transcript, ran, senders, screen: () => screen, settled };
}

describe("the workspace console", () => {
  it("writes output that arrives mid-line above the half-typed line, which comes back whole", async () => {
    const t = typing();
    t.console.type("x = 4");
    t.transcript.output({ type: "stream", name: "stdout", text: "from a thread\n" }, null);
    expect(t.screen()).toBe(
      `${PASTE_MODE_ON}\x1b[32mIn:\x1b[0m x = 4\r\x1b[Kfrom a thread\r\n\x1b[32mIn:\x1b[0m x = 4`,
    );
    t.console.type("2\r");
    await t.settled();
    expect(t.ran).toEqual(["x = 42"]);
    // The echo stands for the cell's `In:` when nothing came between.
    t.transcript.input("x = 42", "client");
    expect(t.screen().endsWith("x = 42\r\n")).toBe(true);
  });

  it("sends a cell as whoever pressed Enter on it, as the hub named them", async () => {
    const t = typing();
    const ada = { id: "u-ada", name: "ada" };
    const bob = { id: "u-bob", name: "bob" };
    // Two people on one shared line: the cell is the one's who ended it.
    t.console.type("x = ", ada);
    t.console.type("1\r", bob);
    await t.settled();
    t.console.type("y = 2\r", ada);
    await t.settled();
    t.console.type("z = 3\r");
    await t.settled();
    expect(t.ran).toEqual(["x = 1", "y = 2", "z = 3"]);
    expect(t.senders).toEqual(["bob", "ada", undefined]);
  });

  it("drops a line on Ctrl-C and ignores Enter on nothing typed", async () => {
    const t = typing();
    t.console.type("\r\rabc\x03\r");
    await t.settled();
    expect(t.ran).toEqual([]);
    expect(t.screen()).toBe(`${PASTE_MODE_ON}\x1b[32mIn:\x1b[0m abc^C\r\n`);
  });

  it("brings back with Up the cells typed here and those run by other clients, each once", async () => {
    const t = typing();
    const line = () => t.screen().slice(t.screen().lastIndexOf("In:"));
    t.console.type("x = 1\r");
    await t.settled();
    // Another client's cell of two lines starts before the one typed here, which starts next.
    t.transcript.input("for i in x:\n    y = i", "client");
    t.transcript.input("x = 1", "client");
    t.console.type("\x1b[A");
    await t.settled();
    expect(line()).toBe("In:\x1b[0m for i in x:\r\n\x1b[2m...\x1b[0m     y = i");
    t.console.type("\x1b[A");
    await t.settled();
    expect(line()).toBe("In:\x1b[0m x = 1");
    t.console.type("\x1b[A\r");
    await t.settled();
    expect(t.ran).toEqual(["x = 1", "x = 1"]);
  });

  it("runs a pasted block as one cell on Enter, and one pasted without its last newline too", async () => {
    // As IPython judges: a block is complete once its last row is ended.
    const t = typing((code) =>
      /\n[ \t]/.test(code) && !code.endsWith("\n")
        ? { status: "incomplete", indent: "" }
        : guessCompleteness(code),
    );
    t.console.type("\x1b[200~def f():\r    x = 1\r\r    return x\r\x1b[201~");
    await t.settled();
    expect(t.ran).toEqual([]);
    t.console.type("\r");
    await t.settled();
    expect(t.ran).toEqual(["def f():\n    x = 1\n\n    return x"]);
    t.console.type("\x1b[200~for i in x:\n    y = i\x1b[201~\r");
    await t.settled();
    expect(t.ran.at(-1)).toBe("for i in x:\n    y = i");
  });

  it("guesses a block continues when the kernel cannot say", () => {
    expect(guessCompleteness("for i in x:")).toEqual({ status: "incomplete", indent: "    " });
    expect(guessCompleteness("f(1,")).toEqual({ status: "incomplete", indent: "" });
    expect(guessCompleteness("s = '(' # (")).toEqual({ status: "complete", indent: "" });
    expect(guessCompleteness("print(1)")).toEqual({ status: "complete", indent: "" });
  });
});
