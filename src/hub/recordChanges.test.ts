import { describe, expect, it } from "vitest";
import type { SessionEvent } from "../protocol/events.js";
import type { SessionRecord } from "../store/Store.js";
import { recordChanges } from "./recordChanges.js";

const record: SessionRecord = {
  id: "s1",
  name: "build",
  kind: "terminal",
  host: "local",
  status: "starting",
  exitCode: null,
  reason: null,
  command: [],
  cwd: "/",
  cols: 80,
  rows: 24,
  pid: null,
  foreground: null,
  createdAt: 0,
  lastActivityAt: 0,
  lastSeq: 0,
  bytes: 0,
  preview: "",
  env: {},
  meta: {},
};

const out = (seq: number, text: string): SessionEvent => ({
  session: "s1",
  seq,
  ts: seq * 10,
  type: "output",
  data: new TextEncoder().encode(text),
});

describe("recordChanges", () => {
  it("counts output, keeps the last line as preview and only counters change for output alone", () => {
    const { counters, patch } = recordChanges(record, [out(1, "one\r\n"), out(2, "\x1b[1mtwo\x1b[0m\r\n$ ")]);
    expect(counters).toEqual({ lastSeq: 2, bytes: 20, lastActivityAt: 20, preview: "$" });
    expect(patch).toEqual({});
  });

  it("takes the preview from the newest output that shows a line, else keeps the old one", () => {
    const events = [
      out(1, "older\r\n"),
      out(2, "newest line\r\n"),
      out(3, "\x1b[2K\r\n"),
      out(4, "\x1b[?25h"),
    ];
    expect(recordChanges(record, events).counters.preview).toBe("newest line");
    const blank = recordChanges({ ...record, preview: "kept" }, [out(1, "\r\n"), out(2, "\x1b[0m")]);
    expect(blank.counters.preview).toBe("kept");
  });

  it("turns start, resize, status and exit into a patch", () => {
    const events: SessionEvent[] = [
      { session: "s1", seq: 1, ts: 1, type: "start", data: { pid: 42 } },
      { session: "s1", seq: 2, ts: 2, type: "resize", data: { cols: 120, rows: 40 } },
      { session: "s1", seq: 3, ts: 3, type: "status", data: { foreground: "npm test" } },
      { session: "s1", seq: 4, ts: 4, type: "exit", data: { code: 3, signal: null } },
    ];
    const { counters, patch } = recordChanges(record, events);
    expect(counters.lastSeq).toBe(4);
    expect(patch).toEqual({
      status: "exited",
      pid: 42,
      cols: 120,
      rows: 40,
      foreground: null,
      exitCode: 3,
      reason: null,
    });
  });

  it("names the signal that ended a process", () => {
    const { patch } = recordChanges({ ...record, status: "running" }, [
      { session: "s1", seq: 1, ts: 1, type: "exit", data: { code: null, signal: 9 } },
    ]);
    expect(patch).toMatchObject({ status: "exited", exitCode: null, reason: "killed by SIGKILL" });
  });
});
