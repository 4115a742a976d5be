import { describe, expect, it } from "vitest";
import { waitingText } from "./workspaceWait.js";

const startedAt = new Date(2026, 11, 3, 14, 2, 7).getTime();

describe("what a waiting evaluation says", () => {
  it("names the running cell by its first line and the time it started", () => {
    const running = { id: "a", code: "\nimport time\ntime.sleep(30)", origin: "client", startedAt } as const;
    expect(waitingText({ ahead: 1, running })).toBe(
      "waiting behind the cell running since 14:02:07: `import time …`",
    );
    expect(waitingText({ ahead: 3, running: { ...running, code: "x".repeat(70), origin: "replay" } })).toBe(
      `waiting behind the replayed cell running since 14:02:07: \`${"x".repeat(60)}…\` (and 2 more before this one)`,
    );
  });

  it("counts what is ahead when no cell has started yet", () => {
    expect(waitingText({ ahead: 2, running: null })).toBe(
      "waiting behind 2 evaluations sent before this one",
    );
  });

  it("says whose cells they are when two people's cells wait and run", () => {
    const bob = { id: "u-bob", name: "bob" };
    const ada = { id: "u-ada", name: "ada" };
    const running = { id: "a", code: "time.sleep(30)", origin: "client", startedAt, by: bob } as const;
    expect(waitingText({ ahead: 1, running, by: ada })).toBe(
      "ada's cell waits behind bob's cell running since 14:02:07: `time.sleep(30)`",
    );
    expect(waitingText({ ahead: 2, running, by: ada })).toBe(
      "ada's cell waits behind bob's cell running since 14:02:07: `time.sleep(30)` (and 1 more before it)",
    );
    // One person's cells, or a sender not known: as before.
    for (const by of [bob, undefined])
      expect(waitingText({ ahead: 1, running, by })).toBe(
        "waiting behind the cell running since 14:02:07: `time.sleep(30)`",
      );
    const { by: _, ...unsigned } = running;
    expect(waitingText({ ahead: 1, running: unsigned, by: ada })).toBe(
      "waiting behind the cell running since 14:02:07: `time.sleep(30)`",
    );
  });
});
