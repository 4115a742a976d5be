import { describe, expect, it } from "vitest";
import { screenChange } from "./screenEvents.js";

describe("screenChange for a gap", () => {
  it("says output was lost while the hub was away, with its size", () => {
    const change = screenChange("s1", {
      session: "s1",
      seq: 9,
      ts: 1,
      type: "gap",
      data: { fromSeq: 4, bytes: 120 },
    });
    expect(change.message).toMatchObject({ type: "rebase", seq: 9 });
    expect((change.message as { note: string }).note).toContain(
      "[dispatch: 120 bytes of output lost here while the hub was away]",
    );
  });

  it("says why an event its host dropped is missing, not that output was lost", () => {
    const reason =
      "the 'blob' event was 9.0 MiB, more than the 8.0 MiB one message from a host to the hub may hold";
    const change = screenChange("s1", {
      session: "s1",
      seq: 9,
      ts: 1,
      type: "gap",
      data: { fromSeq: 9, bytes: 0, dropped: { type: "blob", bytes: 9437200 }, reason },
    });
    const { note } = change.message as { note: string };
    expect(note).toContain(`[dispatch: ${reason}]`);
    expect(note).not.toContain("while the hub was away");
  });
});
