import { describe, expect, it } from "vitest";
import { CellQueue, Withdrawn } from "./CellQueue.js";

const CANCELLED = { ename: "Cancelled", evalue: "withdrawn" };

/** Records the order in which turns come (or are withdrawn). */
function watch(queue: CellQueue, log: string[], name: string, ref?: string) {
  const turn = queue.join(ref);
  turn.ready.then(
    () => log.push(`${name} runs`),
    (err: unknown) => log.push(`${name} ${err instanceof Withdrawn ? err.failure.ename : "failed"}`),
  );
  return turn;
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe("CellQueue", () => {
  it("gives turns one at a time, in the order they joined", async () => {
    const queue = new CellQueue();
    const log: string[] = [];
    const a = watch(queue, log, "a");
    const b = watch(queue, log, "b");
    watch(queue, log, "c");
    await settled();
    expect(log).toEqual(["a runs"]);
    expect(queue.queued).toBe(2);
    a.done();
    a.done();
    await settled();
    expect(log).toEqual(["a runs", "b runs"]);
    b.done();
    await settled();
    expect(log).toEqual(["a runs", "b runs", "c runs"]);
    expect(queue.queued).toBe(0);
  });

  it("withdraws a waiting turn by its ref, leaving the running one and the rest in order", async () => {
    const queue = new CellQueue();
    const log: string[] = [];
    const a = watch(queue, log, "a", "ref-a");
    watch(queue, log, "b", "ref-b");
    watch(queue, log, "c", "ref-c");
    expect(queue.withdraw("ref-a", CANCELLED)).toBe("running");
    expect(queue.withdraw("ref-b", CANCELLED)).toBe("withdrawn");
    await settled();
    expect(log).toEqual(["a runs", "b Cancelled"]);
    a.done();
    await settled();
    expect(log).toEqual(["a runs", "b Cancelled", "c runs"]);
  });

  it("withdraws a ref that joins after its withdrawal, and every waiting turn at once", async () => {
    const queue = new CellQueue();
    const log: string[] = [];
    expect(queue.withdraw("early", CANCELLED)).toBe("unknown");
    watch(queue, log, "a");
    watch(queue, log, "early", "early");
    watch(queue, log, "b");
    queue.withdrawAll({ ename: "KernelLost", evalue: "the kernel was restarted" });
    await settled();
    expect(log.sort()).toEqual(["a runs", "b KernelLost", "early Cancelled"]);
    expect(queue.queued).toBe(0);
  });

  it("counts the cells ahead of a turn as it joins, not the image's own quiet requests", () => {
    const queue = new CellQueue();
    expect(queue.join("a").cellsAhead).toBe(0);
    expect(queue.join(undefined, "quiet").cellsAhead).toBe(1);
    expect(queue.join("b").cellsAhead).toBe(1);
    expect(queue.join("c").cellsAhead).toBe(2);
    queue.withdraw("late", CANCELLED);
    expect(queue.join("late").cellsAhead).toBe(0);
  });
});
