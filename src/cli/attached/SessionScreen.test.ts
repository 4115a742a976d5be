import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { capturedTerminal } from "../../../test/capturedTerminal.js";
import { SeenState } from "../seenState.js";
import { SessionScreen } from "./SessionScreen.js";
import { reserveStatusRow } from "./StatusBar.js";

const home = mkdtempSync(join(tmpdir(), "session-screen-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const ROWS = 24;
/** What the bar's setting up writes: the session's region above the bar's row. */
const BAR_REGION = reserveStatusRow(ROWS);
/** "é" cut between two frames, as the host may cut them. */
const E_ACUTE = Buffer.from("é");

/** A screen on an 80x24 terminal with the status bar on; `drawn` is what reached the terminal. */
function screen(): { screen: SessionScreen; drawn(): string; cover(covered: boolean): void } {
  const { terminal, bar, drawn } = capturedTerminal(new SeenState(join(home, "seen.json")), {
    cols: 80,
    rows: ROWS,
  });
  let covered = false;
  return {
    screen: new SessionScreen({ terminal, bar, covered: () => covered }),
    drawn,
    cover: (now) => {
      covered = now;
    },
  };
}

describe("SessionScreen", () => {
  it("draws a character cut between frames whole, once the next frame completes it", () => {
    const { screen: shown, drawn } = screen();
    shown.output(E_ACUTE.subarray(0, 1));
    expect(drawn()).toBe("");
    shown.output(Buffer.concat([E_ACUTE.subarray(1), Buffer.from("t\u00e9")]));
    expect(drawn()).toBe("été");
  });

  it("drops half a character when a screen replaces the output it was cut from", () => {
    const { screen: shown, drawn } = screen();
    shown.output(Buffer.concat([Buffer.from("old "), E_ACUTE.subarray(0, 1)]));
    shown.show("new screen");
    shown.output(Buffer.from("!"));
    expect(drawn()).not.toContain("\ufffd");
    expect(drawn()).toMatch(/^old \x1b.*new screen.*!$/s);
  });

  it("draws nothing while covered, and no half character held from before", () => {
    const { screen: shown, drawn, cover } = screen();
    shown.output(E_ACUTE.subarray(0, 1));
    cover(true);
    shown.output(Buffer.from("hidden"));
    shown.show("hidden screen");
    cover(false);
    shown.output(Buffer.from("shown"));
    expect(drawn()).toBe("shown");
  });

  it("sets the bar's region up again after output that disturbs it, and around a screen", () => {
    const { screen: shown, drawn } = screen();
    shown.output(Buffer.from("plain line\r\n"));
    expect(drawn()).not.toContain(BAR_REGION);
    shown.output(Buffer.from("\x1b[2J"));
    expect(drawn().split(BAR_REGION)).toHaveLength(2);

    // A frame is a view into a larger message: only its own bytes count.
    const message = Buffer.from("\x1b[2Jframe\x1b[r");
    const { screen: viewed, drawn: viewedDrawn } = screen();
    viewed.output(message.subarray(4, 9));
    expect(viewedDrawn()).toBe("frame");
    viewed.output(message.subarray(5));
    expect(viewedDrawn().split(BAR_REGION)).toHaveLength(2);

    const { screen: other, drawn: otherDrawn } = screen();
    other.show("snapshot");
    // Before the snapshot (a taller one scrolls inside the region) and after it.
    expect(
      otherDrawn()
        .split(BAR_REGION)
        .map((part) => part.includes("snapshot")),
    ).toEqual([false, true, false]);
  });
});
