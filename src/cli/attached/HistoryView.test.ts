import headless from "@xterm/headless";
import { afterEach, describe, expect, it } from "vitest";
import { type HistoryPage, HistoryView, toLines } from "./HistoryView.js";

const COLS = 60;
const ROWS = 10;
const terminals: headless.Terminal[] = [];

afterEach(() => {
  for (const terminal of terminals.splice(0)) terminal.dispose();
});

/** A stored log of output events, one line each, the oldest `firstSeq` kept (ask before its end). */
function log(firstSeq = 1): { fetchOlder(before: number): Promise<HistoryPage>; asked: number[] } {
  const asked: number[] = [];
  return {
    asked,
    async fetchOlder(before) {
      asked.push(before);
      const events = [];
      for (let seq = Math.max(firstSeq, before - 20); seq < before; seq++) {
        events.push({ seq, type: "output", data: Buffer.from(`line-${seq}\r\n`).toString("base64") });
      }
      return { events, firstSeq };
    },
  };
}

function view(pages: { fetchOlder(before: number): Promise<HistoryPage> }, before: number) {
  const terminal = new headless.Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true });
  terminals.push(terminal);
  let written = Promise.resolve();
  const history = new HistoryView({
    name: "build",
    before,
    fetchOlder: (seq) => pages.fetchOlder(seq),
    size: () => ({ cols: COLS, rows: ROWS }),
    write: (text) => {
      written = written.then(() => new Promise<void>((resolve) => terminal.write(text, resolve)));
    },
  });
  const screen = async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await written;
    const buffer = terminal.buffer.active;
    return Array.from({ length: ROWS }, (_, y) => buffer.getLine(y)?.translateToString(true) ?? "");
  };
  return { history, screen };
}

describe("history view", () => {
  it("opens at the newest stored line and pages back through older pages to the start", async () => {
    const pages = log();
    const { history, screen } = view(pages, 101);
    await history.open();
    let rows = await screen();
    expect(rows[ROWS - 2]).toBe("line-100");
    expect(rows[ROWS - 1]).toContain("history of build: lines");
    expect(pages.asked).toEqual([101]);

    history.feed("\x1b[5~");
    rows = await screen();
    expect(rows[ROWS - 2]).toBe("line-91");
    // Page up until the oldest line: each page read backwards once, in order.
    for (let i = 0; i < 20 && !rows.includes("── start of the stored output ──"); i++) {
      history.feed("b");
      rows = await screen();
    }
    expect(rows[0]).toBe("── start of the stored output ──");
    expect(rows[1]).toBe("line-1");
    expect(pages.asked).toEqual([101, 81, 61, 41, 21]);

    history.feed("G");
    rows = await screen();
    expect(rows[ROWS - 2]).toBe("line-100");
    expect(history.feed("q")).toBe(true);
  });

  it("says so when retention compacted the oldest output, and with nothing stored", async () => {
    const compacted = view(log(25), 31);
    await compacted.history.open();
    compacted.history.feed("g");
    const rows = await compacted.screen();
    expect(rows.slice(0, 2)).toEqual(["── start of the stored output ──", "line-25"]);

    const empty = view(log(), 1);
    await empty.history.open();
    expect((await empty.screen())[0]).toBe("(no stored output)");
  });

  it("keeps keys typed while the first page loads, and says it is loading meanwhile", async () => {
    const pages = log();
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const slow = {
      fetchOlder: async (before: number) => {
        await answered;
        return pages.fetchOlder(before);
      },
    };
    const { history, screen } = view(slow, 101);
    const opened = history.open();
    // Not "(no stored output)": nothing is known yet.
    let rows = await screen();
    expect(rows[0]).toBe("");
    expect(rows[ROWS - 1]).toContain("history of build: loading older output");
    history.feed("\x1b[5~");
    answer();
    await opened;
    rows = await screen();
    // One page up from the end: the PageUp typed before the page came is not lost.
    expect(rows[ROWS - 2]).toBe("line-91");
    expect(rows[ROWS - 1]).toContain("history of build: lines");
  });

  it("joins a line that began in an older page, a character split between pages too", async () => {
    // Events of 5 bytes each, cutting lines, a \r\n and the two bytes of "é" between events.
    const bytes = Buffer.from("one\r\nsecond é line\r\n\r\nthird\r\n50%\r100%\r\nlast\r\n");
    const events = [];
    for (let at = 0, seq = 1; at < bytes.length; at += 5, seq++) {
      events.push({ seq, type: "output", data: bytes.subarray(at, at + 5).toString("base64") });
    }
    const pages = {
      // Two events a page, so every line is put together from pages read one by one.
      fetchOlder: async (before: number) => ({
        events: events.filter((e) => e.seq < before && e.seq >= before - 2),
        firstSeq: 1,
      }),
    };
    const { history, screen } = view(pages, events.length + 1);
    await history.open();
    let rows = await screen();
    for (let i = 0; i < 20 && rows[0] !== "── start of the stored output ──"; i++) {
      history.feed("g");
      rows = await screen();
    }
    expect(rows.slice(0, 7)).toEqual([
      "── start of the stored output ──",
      "one",
      "second é line",
      "",
      "third",
      "100%",
      "last",
    ]);
  });

  it("turns output into the lines it printed", () => {
    expect(toLines("a\x1b[31mred\x1b[0m\r\n50%\r100%\r\nlast\r\n\r\n")).toEqual(["ared", "100%", "last"]);
  });
});
