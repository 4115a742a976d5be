/**
 * The picker's preview shows a session's last lines as its screen does: read from the hub's
 * screen of it, not from the output read again without one, where a program that redraws only
 * part of a row (vim's ruler, top, less) left pieces that read wrong. Real hub, PTY, picker.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, storedOutput, waitFor } from "./harness.js";
import { closeTtys, dispatchInPty, screenShows } from "./tty.js";

let hub: HubHandle;

beforeAll(async () => {
  hub = await startHub();
});

afterEach(() => closeTtys());

afterAll(async () => {
  await cleanupAll();
});

describe("the picker's preview", () => {
  it("shows a ruler redrawn in part as the screen shows it", async () => {
    // vim's way: the ruler at the bottom row, then, after a key, only the digits that changed
    // and the percentage rewritten in place.
    const script = String.raw`stty -echo; printf '\033[?1049h\033[H\033[2Jtext\033[5;20H300,1\033[9CBot'; read x; printf '\033[5;20H15\033[5;34H49%%'; exec sleep 600`;
    const res = await hub.api("/api/sessions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "ruler", command: ["sh", "-c", script], cols: 40, rows: 5 }),
    });
    expect(res.status).toBe(201);
    await waitFor(async () => (await storedOutput(hub, "ruler")).includes("Bot"), { message: "the ruler" });
    await hub.api("/api/sessions/ruler/input", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ data: "\r" }),
    });
    await waitFor(async () => (await storedOutput(hub, "ruler")).includes("49%"), { message: "the redraw" });

    const picker = dispatchInPty([], { env: hub.env, cols: 80, rows: 24 });
    // The screen's first row is in the preview however it is read: the preview has come.
    const rows = await screenShows(
      picker,
      (rows) => rows.some((row) => row.trimEnd() === "text"),
      "the preview",
    );
    expect(
      rows.map((row) => row.trimEnd()),
      rows.join("\n"),
    ).toContain(`${" ".repeat(19)}150,1         49%`);
    picker.pty.write("q");
    expect(await picker.rc).toBe(0);
  }, 60_000);
});
