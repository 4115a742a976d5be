import { describe, expect, it } from "vitest";
import { betweenPeople } from "./waitingCell.js";

const startedAt = new Date(2026, 11, 3, 14, 2, 7).getTime();
const clock = () => "14:02:07";
const ada = { id: "share:1a2b3c4d5e", name: "link 1a2b3c4d" };
const bob = { id: "share:5e6f7a8b9c", name: "link 5e6f7a8b" };
const running = { id: "a", code: "time.sleep(30)", origin: "client", startedAt, by: bob } as const;

describe("the sentence between two people's cells", () => {
  it("names each cell by its sender, and the reader's own as theirs", () => {
    expect(betweenPeople({ ahead: 1, running, by: ada }, clock)).toBe(
      "link 1a2b3c4d's cell waits behind link 5e6f7a8b's cell running since 14:02:07: `time.sleep(30)`",
    );
    expect(betweenPeople({ ahead: 1, running, by: ada }, clock, ada.id)).toBe(
      "Your cell waits behind link 5e6f7a8b's cell running since 14:02:07: `time.sleep(30)`",
    );
    expect(betweenPeople({ ahead: 2, running, by: ada }, clock, bob.id)).toBe(
      "link 1a2b3c4d's cell waits behind your cell running since 14:02:07: `time.sleep(30)` (and 1 more before it)",
    );
  });

  it("says nothing of its own for one person's cells, whoever reads it", () => {
    for (const viewer of [undefined, bob.id, ada.id])
      expect(betweenPeople({ ahead: 1, running, by: bob }, clock, viewer)).toBeUndefined();
  });
});
