import { describe, expect, it } from "vitest";
import type { HubClient } from "./HubClient.js";
import { lastLines, tailOf } from "./logTail.js";

const text = (lines: number, output: string) => lastLines(Buffer.from(output), lines).toString();

describe("the last lines of output", () => {
  it("counts a final line with or without its newline as one", () => {
    expect(text(2, "a\r\nb\r\nc\r\n")).toBe("b\r\nc\r\n");
    expect(text(2, "a\r\nb\r\nc")).toBe("b\r\nc");
    expect(text(1, "a\r\nprompt$ ")).toBe("prompt$ ");
  });

  it("gives everything when there are fewer lines, and nothing for zero", () => {
    expect(text(10, "a\nb\n")).toBe("a\nb\n");
    expect(text(0, "a\nb\n")).toBe("");
  });
});

describe("reading back from the end", () => {
  /** A hub's two event reads over `count` output events of one line each (seq 1..count). */
  function hub(count: number) {
    const event = (seq: number) => ({
      seq,
      type: "output",
      data: Buffer.from(`line ${seq}\n`).toString("base64"),
    });
    const reads: number[] = [];
    const client = {
      events: async () => ({ events: [event(1)], lastSeq: count, firstSeq: 1 }),
      history: async (_name: string, before: number, limit: number) => {
        reads.push(before);
        const from = Math.max(1, before - limit);
        return { events: Array.from({ length: before - from }, (_, i) => event(from + i)), firstSeq: 1 };
      },
    };
    return { client: client as unknown as HubClient, reads };
  }

  it("pages back only as far as the lines asked for", async () => {
    const { client, reads } = hub(2000);
    const tail = await tailOf(client, "s", 3);
    expect(tail.bytes.toString()).toBe("line 1998\nline 1999\nline 2000\n");
    expect(tail.lastSeq).toBe(2000);
    expect(reads).toEqual([2001]);
    const far = hub(2000);
    expect((await tailOf(far.client, "s", 1200)).bytes.toString().split("\n")[0]).toBe("line 801");
    expect(far.reads).toEqual([2001, 1501, 1001]);
  });

  it("stops at the start of the log", async () => {
    const { client } = hub(10);
    expect((await tailOf(client, "s", 50)).bytes.toString().split("\n")).toHaveLength(11);
  });
});
