/** The stand-in model of a kind whose code is still loading (web/src/kinds/deferred-view.ts). */
import { describe, expect, it } from "vitest";
import type { JsonEvent } from "../../src/protocol/events.js";
import type { SessionInfo } from "../../src/protocol/session.js";
import { DeferredView, type LoadedKind } from "../../web/src/kinds/deferred-view.js";
import type { SessionView } from "../../web/src/kinds/kind.js";

/** A real model that writes down the calls it gets. */
function recorder(calls: string[]): SessionView {
  let lastSeq = 0;
  return {
    id: "s",
    get lastSeq() {
      return lastSeq;
    },
    attaching: () => calls.push("attaching"),
    attached: (seq) => calls.push(`attached ${seq}`),
    isLiveSeq: (seq) => seq > 99,
    whenCurrent: () => Promise.resolve(),
    output: (seq) => {
      calls.push(`output ${seq}`);
      lastSeq = seq;
      return true;
    },
    event: (event) => {
      calls.push(`event ${event.seq}`);
      lastSeq = event.seq;
      return true;
    },
    snapshot: (snap, written) => {
      calls.push(`snapshot ${snap.seq}`);
      written?.();
    },
    focus: () => calls.push("focus"),
    dispose: () => calls.push("dispose"),
  };
}

function loader(calls: string[]): { load: () => Promise<LoadedKind>; finish: () => void } {
  let finish = () => {};
  const loaded = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const kind = { open: () => recorder(calls), View: (() => {}) as unknown as LoadedKind["View"] };
  return { load: () => loaded.then(() => kind), finish };
}

const info = { id: "s" } as SessionInfo;
const io = { input: () => {}, command: () => Promise.resolve() };
const event = (seq: number) => ({ seq, type: "update", data: {} }) as unknown as JsonEvent;

describe("DeferredView", () => {
  it("replays the calls made before its chunk loaded, in order, then passes calls straight on", async () => {
    const calls: string[] = [];
    const { load, finish } = loader(calls);
    const view = new DeferredView(info, io, load);
    view.attaching();
    expect(view.isLiveSeq(5)).toBe(false);
    view.snapshot({ seq: 3, cols: 0, rows: 0, data: "" });
    expect(view.event(event(4))).toBe(true);
    expect(view.event(event(4))).toBe(false);
    expect(view.output(5, new Uint8Array())).toBe(true);
    view.attached(5);
    expect(view.isLiveSeq(6)).toBe(true);
    view.focus();
    expect(view.lastSeq).toBe(5);
    expect(calls).toEqual([]);
    finish();
    await view.whenCurrent();
    expect(calls).toEqual(["attaching", "snapshot 3", "event 4", "output 5", "attached 5", "focus"]);
    view.event(event(6));
    expect(calls.at(-1)).toBe("event 6");
    expect(view.lastSeq).toBe(6);
  });

  it("disposes the real model when the session closed before the chunk was in", async () => {
    const calls: string[] = [];
    const { load, finish } = loader(calls);
    const view = new DeferredView(info, io, load);
    view.attaching();
    view.dispose();
    expect(view.event(event(1))).toBe(false);
    finish();
    await view.ready;
    expect(calls).toEqual(["dispose"]);
  });
});
