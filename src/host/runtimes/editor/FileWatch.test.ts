/**
 * FileWatch with a real file and the event loop held up on purpose: what it reports is what
 * the editor shows as the disk's side of a conflict, and a resolve is made over that.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileWatch, MAX_WAIT_MS } from "./FileWatch.js";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dispatch-file-watch-"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The next check phase of the event loop, after its timers phase and its poll phase. */
function nextCheck(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Every file event already queued has been handled: the next check phase may come before the
 * loop polls again (called from a poll callback), the one after it cannot.
 */
async function eventsHandled(): Promise<void> {
  await nextCheck();
  await nextCheck();
}

/** Holds this process's event loop up for `ms`, as a starved or stopped host is (no CPU spent). */
function holdUp(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Watches a file changed once (the watch is looking at it), then has a writer truncate it,
 * do `meanwhile`, and write "theirs"; what the watch reported first.
 */
async function firstReportAround(meanwhile: () => Promise<void>): Promise<string[]> {
  const file = join(dir, "notes.txt");
  writeFileSync(file, "base\n");
  const seen: string[] = [];
  const watch = new FileWatch(file, () => seen.push(readFileSync(file, "utf8")));
  try {
    writeFileSync(file, "first\n");
    await eventsHandled();
    const fd = openSync(file, "w");
    try {
      await meanwhile();
      writeSync(fd, "theirs\n");
    } finally {
      closeSync(fd);
    }
    await waitUntil(() => seen.length > 0);
    return seen;
  } finally {
    watch.dispose();
  }
}

describe("FileWatch", () => {
  it("does not report a file caught between a truncation and its write after the host was held up", async () => {
    // Held up before its next look, past the longest wait counted from the first change: that
    // look reported the empty file at once.
    const seen = await firstReportAround(async () => {
      holdUp(MAX_WAIT_MS + 100);
      // The overdue look runs in the timers phase, before the next check phase.
      await nextCheck();
    });
    expect(seen).toEqual(["theirs\n"]);
  });

  it("counts how long a file has been changing on a clock no one sets: a wall clock moved on is no change's age", async () => {
    // The wall clock set forward (NTP, a laptop resumed): the first look reported at once what
    // it found, here a file truncated by a writer that writes 100 ms later.
    const wall = Date.now;
    try {
      const seen = await firstReportAround(async () => {
        Date.now = () => wall() + 2 * MAX_WAIT_MS;
        await new Promise((resolve) => setTimeout(resolve, 100));
      });
      expect(seen).toEqual(["theirs\n"]);
    } finally {
      Date.now = wall;
    }
  });
});

/** Resolves once `done()` holds, looking every 10 ms, for up to 10 s. */
async function waitUntil(done: () => boolean): Promise<void> {
  for (let tries = 0; !done(); tries++) {
    if (tries > 1_000) throw new Error("FileWatch reported nothing within 10 s");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
