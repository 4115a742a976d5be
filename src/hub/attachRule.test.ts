import { describe, expect, it } from "vitest";
import type { SnapshotRecord } from "../store/Store.js";
import { attachMode, attachStart, resumeOverHole } from "./attachRule.js";

const snapshot = (seq: number): SnapshotRecord => ({
  session: "s",
  seq,
  ts: 0,
  cols: 80,
  rows: 24,
  data: "",
});

describe("the attach rule", () => {
  it("maps the protocol flag to a mode", () => {
    expect(attachMode(undefined)).toBe("auto");
    expect(attachMode(true)).toBe("snapshot");
    expect(attachMode(false)).toBe("events");
  });

  it("events: exactly what follows the client's seq, whatever snapshots exist", () => {
    expect(attachStart({ mode: "events", cursor: 5, latest: snapshot(9), screen: true })).toEqual({
      from: "events",
      cursor: 5,
    });
  });

  it("snapshot: the latest screen even when the client is past it; a fresh one when none is stored", () => {
    expect(attachStart({ mode: "snapshot", cursor: 20, latest: snapshot(9), screen: true })).toEqual({
      from: "snapshot",
      snapshot: snapshot(9),
    });
    expect(attachStart({ mode: "snapshot", cursor: 20, latest: undefined, screen: true })).toEqual({
      from: "fresh-snapshot",
    });
    // A kind without a screen has no snapshot to give: its whole stored log instead.
    expect(attachStart({ mode: "snapshot", cursor: 20, latest: undefined, screen: false })).toEqual({
      from: "events",
      cursor: 0,
    });
  });

  it("auto: a snapshot only when it is newer than what the client has", () => {
    expect(attachStart({ mode: "auto", cursor: 0, latest: snapshot(9), screen: true }).from).toBe("snapshot");
    expect(attachStart({ mode: "auto", cursor: 9, latest: snapshot(9), screen: true })).toEqual({
      from: "events",
      cursor: 9,
    });
    expect(attachStart({ mode: "auto", cursor: 3, latest: undefined, screen: true })).toEqual({
      from: "events",
      cursor: 3,
    });
  });

  it("over a compacted hole, continues from the covering snapshot only when it is ahead", () => {
    expect(resumeOverHole(3, snapshot(10))).toEqual(snapshot(10));
    expect(resumeOverHole(12, snapshot(10))).toBeUndefined();
    expect(resumeOverHole(3, undefined)).toBeUndefined();
  });
});
