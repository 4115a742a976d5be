/**
 * A cell's consecutive stream messages become one per turn of the event loop, in order, at most
 * `MERGED_STREAM_BYTES` of text each, never across requests, streams or other messages.
 */
import { describe, expect, it } from "vitest";
import { MERGED_STREAM_BYTES, StreamMerge } from "./StreamMerge.js";
import { type JupyterMessage, newHeader } from "./wire.js";

const message = (parent: string, msgType: string, content: Record<string, unknown>): JupyterMessage => ({
  header: newHeader(msgType, "kernel"),
  parent: { msg_id: parent, msg_type: "execute_request" },
  metadata: {},
  content,
  buffers: [],
});
const stdout = (parent: string, text: string) => message(parent, "stream", { name: "stdout", text });
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** What was delivered, as `type[:name]:text`. */
function merged() {
  const delivered: JupyterMessage[] = [];
  const merge = new StreamMerge((m) => delivered.push(m));
  const seen = () =>
    delivered.map((m) =>
      m.header.msg_type === "stream"
        ? `${m.parent.msg_id}:${String(m.content.name)}:${String(m.content.text)}`
        : `${m.parent.msg_id}:${m.header.msg_type}`,
    );
  return { merge, delivered, seen };
}

describe("merging a cell's stream messages", () => {
  it("makes one message of one turn's writes to a stream, delivered at the turn's end", async () => {
    const { merge, seen } = merged();
    for (const line of ["0\n", "1\n", "2\n"]) merge.push(stdout("a", line));
    expect(seen()).toEqual([]);
    await turn();
    expect(seen()).toEqual(["a:stdout:0\n1\n2\n"]);
    merge.push(stdout("a", "3\n"));
    await turn();
    expect(seen()).toEqual(["a:stdout:0\n1\n2\n", "a:stdout:3\n"]);
  });

  it("keeps order: another message, another stream or another request's output sends what came before", () => {
    const { merge, seen } = merged();
    merge.push(stdout("a", "x"));
    merge.push(stdout("a", "y"));
    merge.push(message("a", "stream", { name: "stderr", text: "oops" }));
    merge.push(stdout("b", "other cell"));
    merge.push(message("b", "execute_result", { data: { "text/plain": "1" } }));
    merge.push(stdout("b", "after"));
    merge.flush();
    expect(seen()).toEqual([
      "a:stdout:xy",
      "a:stderr:oops",
      "b:stdout:other cell",
      "b:execute_result",
      "b:stdout:after",
    ]);
  });

  it("carries at most 64 KiB of text a message, none lost", () => {
    const { merge, delivered } = merged();
    const line = `${"é".repeat(499)}\n`; // 999 bytes, 500 characters
    for (let i = 0; i < 200; i++) merge.push(stdout("a", line));
    merge.flush();
    const texts = delivered.map((m) => String(m.content.text));
    expect(texts.length).toBeGreaterThan(2);
    for (const text of texts) expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MERGED_STREAM_BYTES);
    expect(texts.join("")).toBe(line.repeat(200));
  });

  it("passes a single larger write whole", () => {
    const { merge, delivered } = merged();
    const big = "z".repeat(MERGED_STREAM_BYTES * 2);
    merge.push(stdout("a", "before"));
    merge.push(stdout("a", big));
    merge.flush();
    expect(delivered.map((m) => m.content.text)).toEqual(["before", big]);
  });
});
