/**
 * The line editor as a person at a terminal sees it: its output drawn on a headless xterm as
 * wide as the session's terminal, and the screen read back.
 */
import headless from "@xterm/headless";
import { afterEach, describe, expect, it } from "vitest";
import { LineEditor } from "./LineEditor.js";
import type { CompletionAnswer } from "./lineCompletion.js";

const terminals: headless.Terminal[] = [];

afterEach(() => {
  for (const terminal of terminals.splice(0)) terminal.dispose();
});

function typing(options: {
  cols: number;
  /** The client's terminal, when wider than the session (`cols`). */
  terminalCols?: number;
  complete?: (line: string, cursor: number) => CompletionAnswer;
}) {
  const terminal = new headless.Terminal({
    cols: options.terminalCols ?? options.cols,
    rows: 10,
    allowProposedApi: true,
  });
  terminals.push(terminal);
  let written = Promise.resolve();
  let lineStart = true;
  const entered: string[] = [];
  const write = (text: string) => {
    lineStart = text.endsWith("\n");
    written = written.then(() => new Promise<void>((resolve) => terminal.write(text, resolve)));
  };
  const editor: LineEditor = new LineEditor({
    echo: write,
    atLineStart: () => lineStart,
    prompt: () => "\x1b[1m>\x1b[0m ",
    continuation: () => ". ",
    masked: () => false,
    enter: (line) => {
      entered.push(line);
      editor.remember(line);
      editor.endLine();
    },
    interrupt: () => undefined,
    cols: () => options.cols,
    ...(options.complete
      ? { complete: async (line: string, cursor: number) => options.complete?.(line, cursor) }
      : {}),
  });
  /** Output from the runtime, above the line (as the workspace and chat write it). */
  const output = (text: string) => write(`${editor.hide()}${text}${editor.show(text.endsWith("\n"))}`);
  /** The rows with text, once everything is drawn and the keys typed so far are handled. */
  const screen = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    await written;
    const buffer = terminal.buffer.active;
    const rows = Array.from({ length: 10 }, (_, y) => buffer.getLine(y)?.translateToString(true) ?? "");
    while (rows.at(-1) === "") rows.pop();
    return rows;
  };
  const cursor = () => ({ row: terminal.buffer.active.cursorY, col: terminal.buffer.active.cursorX });
  return { editor, entered, output, screen, cursor, terminal };
}

const LEFT = "\x1b[D";
const RIGHT = "\x1b[C";
const UP = "\x1b[A";
const DOWN = "\x1b[B";
const paste = (text: string) => `\x1b[200~${text}\x1b[201~`;

describe("the line editor", () => {
  it("moves the cursor in the line: what is typed goes there, Backspace and Delete erase there", async () => {
    const t = typing({ cols: 40 });
    t.editor.type(`pint(1)\x01${RIGHT}r\x05${LEFT}\x7f2`);
    expect(await t.screen()).toEqual(["> print(2)"]);
    expect(t.cursor()).toEqual({ row: 0, col: 9 });
    t.editor.type("\x1b[H\x1b[3~\x1bOF!");
    expect(await t.screen()).toEqual(["> rint(2)!"]);
    t.editor.type("\r");
    await t.screen();
    expect(t.entered).toEqual(["rint(2)!"]);
  });

  it("edits a line longer than the terminal is wide, and keeps it whole under output", async () => {
    const t = typing({ cols: 12 });
    // 2 columns for the prompt and 25 typed: three rows.
    t.editor.type("abcdefghijklmnopqrstuvwxy");
    expect(await t.screen()).toEqual(["> abcdefghij", "klmnopqrstuv", "wxy"]);
    t.editor.type("\x01X");
    expect(await t.screen()).toEqual(["> Xabcdefghi", "jklmnopqrstu", "vwxy"]);
    expect(t.cursor()).toEqual({ row: 0, col: 3 });
    t.output("from a thread\r\n");
    expect(await t.screen()).toEqual(["from a threa", "d", "> Xabcdefghi", "jklmnopqrstu", "vwxy"]);
    expect(t.cursor()).toEqual({ row: 2, col: 3 });
    t.editor.type(`\x05\x7f\x7f\x7f\x7f\x7f`);
    expect(await t.screen()).toEqual(["from a threa", "d", "> Xabcdefghi", "jklmnopqrst"]);
    t.editor.type("\r");
    await t.screen();
    expect(t.entered).toEqual(["Xabcdefghijklmnopqrst"]);
  });

  it("brings back earlier lines with Up, the line being typed and edits with Down", async () => {
    const t = typing({ cols: 40 });
    t.editor.type("a = 1\rb = 2\rdraft");
    t.editor.type(UP);
    expect((await t.screen()).at(-1)).toBe("> b = 2");
    t.editor.type(`${UP}0${UP}`);
    expect((await t.screen()).at(-1)).toBe("> a = 10");
    t.editor.type(DOWN);
    expect((await t.screen()).at(-1)).toBe("> b = 2");
    t.editor.type(UP);
    expect((await t.screen()).at(-1)).toBe("> a = 10");
    t.editor.type(`${DOWN}${DOWN}`);
    expect((await t.screen()).at(-1)).toBe("> draft");
    t.editor.type(`${UP}${UP}\r`);
    await t.screen();
    expect(t.entered).toEqual(["a = 1", "b = 2", "a = 10"]);
  });

  it("brings back a line of several rows whole", async () => {
    const t = typing({ cols: 40 });
    t.editor.remember("for i in x:\n    print(i)");
    t.editor.type(UP);
    expect(await t.screen()).toEqual(["> for i in x:", ".     print(i)"]);
    t.editor.type(`${LEFT}${LEFT}\x01#\r`);
    expect(await t.screen()).toEqual(["> for i in x:", ". #    print(i)"]);
    expect(t.entered).toEqual(["for i in x:\n#    print(i)"]);
  });

  it("completes at the cursor: one match typed, several listed above the line drawn again", async () => {
    const asked: [string, number][] = [];
    const t = typing({
      cols: 30,
      complete: (line, cursor) => {
        asked.push([line, cursor]);
        if (line.startsWith("os.pat")) return { start: 3, end: 6, matches: ["path"] };
        if (line.startsWith("os.pa")) return { start: 3, end: 5, matches: ["path", "pardir"] };
        return { note: "the kernel is busy" };
      },
    });
    t.editor.type("os.pa)\x02\t");
    expect(await t.screen()).toEqual(["path    pardir", "> os.pa)"]);
    expect(asked).toEqual([["os.pa)", 5]]);
    t.editor.type("t\t");
    expect(await t.screen()).toEqual(["path    pardir", "> os.path)"]);
    expect(t.cursor()).toEqual({ row: 1, col: 9 });
    // Tab where nothing is typed before the cursor indents, without asking.
    t.editor.type("\x15\tx\t");
    expect(await t.screen()).toEqual(["path    pardir", "the kernel is busy", ">     x"]);
    expect(asked.length).toBe(3);
  });

  it("takes a bracketed paste whole, its newlines rows of the line, and Enter enters it all", async () => {
    const t = typing({ cols: 40 });
    t.editor.type(paste("def f():\r\n    x = 1\r\n\r\n\treturn x\r\n"));
    expect(await t.screen()).toEqual(["> def f():", ".     x = 1", ". ", ".     return x"]);
    expect(t.terminal.modes.bracketedPasteMode).toBe(true);
    expect(t.entered).toEqual([]);
    t.editor.type("\r");
    await t.screen();
    expect(t.entered).toEqual(["def f():\n    x = 1\n\n    return x"]);
  });

  it("reads a paste that comes in several inputs as one, and keys without brackets as typed", async () => {
    const t = typing({ cols: 40 });
    t.editor.type("\x1b[200~a = 1\n");
    t.editor.type("b = 2\x1b[2");
    t.editor.type("01~\r");
    await t.screen();
    expect(t.entered).toEqual(["a = 1\nb = 2"]);
    // A terminal without bracketed paste: each newline is an Enter, as before.
    t.editor.type("c = 3\nd = 4\n");
    await t.screen();
    expect(t.entered).toEqual(["a = 1\nb = 2", "c = 3", "d = 4"]);
    // A paste whose end never came (its client went) is dropped by Ctrl-C; keys work again.
    t.editor.type("\x1b[200~half a paste\x03e = 5\r");
    await t.screen();
    expect(t.entered.at(-1)).toBe("e = 5");
  });

  it("moves between the rows of a pasted line with Up and Down, and recalls once at its first row", async () => {
    const t = typing({ cols: 40 });
    t.editor.remember("older");
    t.editor.type(paste("a = 1\nbb = 2\nc = 3"));
    t.editor.type(`${LEFT}${UP}${UP}X${DOWN}${DOWN}Y`);
    expect(await t.screen()).toEqual(["> a = X1", ". bb = 2", ". c = 3Y"]);
    t.editor.type(`\x01${UP}${UP}${UP}`);
    expect(await t.screen()).toEqual(["> older"]);
    // Right after a recall Up and Down go on through the history, not its rows.
    t.editor.type(DOWN);
    expect(await t.screen()).toEqual(["> a = X1", ". bb = 2", ". c = 3Y"]);
  });

  it("breaks its rows itself, so a client wider than the session sees them as drawn", async () => {
    // The session is 12 wide; this client's terminal 30.
    const t = typing({ cols: 12, terminalCols: 30 });
    t.editor.type("abcdefghijklmnopqrstuvwxy");
    expect(await t.screen()).toEqual(["> abcdefghij", "klmnopqrstuv", "wxy"]);
    t.editor.type("\x01X");
    expect(await t.screen()).toEqual(["> Xabcdefghi", "jklmnopqrstu", "vwxy"]);
    expect(t.cursor()).toEqual({ row: 0, col: 3 });
    t.output("from a thread\r\n");
    expect(await t.screen()).toEqual(["from a thread", "> Xabcdefghi", "jklmnopqrstu", "vwxy"]);
    t.editor.type(`\x05\x7f\x7f\x7f\x7f\x7f`);
    expect(await t.screen()).toEqual(["from a thread", "> Xabcdefghi", "jklmnopqrst"]);
  });

  it("takes a paste sent as keys in large pieces at once, and refuses a line past its bound whole", async () => {
    // No terminal here: drawing a million characters is not what is tested.
    let shown = "";
    const entered: string[] = [];
    const editor: LineEditor = new LineEditor({
      echo: (text) => {
        shown += text;
      },
      atLineStart: () => shown.endsWith("\n"),
      prompt: () => "> ",
      masked: () => false,
      enter: (line) => {
        entered.push(line);
        editor.endLine();
      },
      interrupt: () => undefined,
      cols: () => 80,
    });
    // As the web's composer sends a paste: pieces of 128k characters, the last with Enter.
    // Typed one character at a time (each laying the line out again), this took hours.
    const piece = (i: number) => String.fromCharCode(97 + i).repeat(128 * 1024);
    for (let i = 0; i < 6; i++) editor.type(piece(i));
    editor.type("end\r");
    await new Promise((resolve) => setImmediate(resolve));
    expect(entered).toEqual([`${[0, 1, 2, 3, 4, 5].map(piece).join("")}end`]);

    // Past the bound: not sent with the middle missing, but refused, and said so.
    shown = "";
    for (let i = 0; i < 9; i++) editor.type(piece(i));
    editor.type("end\r");
    await new Promise((resolve) => setImmediate(resolve));
    expect(entered).toHaveLength(1);
    expect(shown).toContain("not sent: 1179651 characters is more than a line holds (1048576)");
    editor.type("next\r");
    await new Promise((resolve) => setImmediate(resolve));
    expect(entered.at(-1)).toBe("next");
  });
});
