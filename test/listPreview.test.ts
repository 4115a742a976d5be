/**
 * The session list's one-line preview (`dispatch ls --verbose`'s LAST OUTPUT, the web's
 * session list) is what the screen shows: the last non-blank row of the hub's screen of a
 * terminal session, not the newest bytes read without one. Real hub, PTYs, CLI.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, storedOutput, waitFor } from "./harness.js";

let hub: HubHandle;

beforeAll(async () => {
  hub = await startHub();
});

afterAll(async () => {
  await cleanupAll();
});

async function create(name: string, script: string): Promise<void> {
  const res = await hub.api("/api/sessions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, command: ["sh", "-c", script], cols: 40, rows: 5 }),
  });
  expect(res.status).toBe(201);
}

async function preview(name: string): Promise<string> {
  const res = await hub.api(`/api/sessions/${name}`);
  return ((await res.json()) as { session: { preview: string } }).session.preview;
}

/** The LAST OUTPUT of `name`'s row in `dispatch ls --verbose` (piped: nothing is cut). */
async function lsRow(name: string): Promise<string> {
  const ls = await hub.cli(["ls", "--verbose"]);
  expect(ls.code, ls.stderr).toBe(0);
  // After the unread mark's column: the name.
  const row = ls.stdout.split("\n").find((line) => line.trim().split(/\s+/).slice(0, 2).includes(name));
  expect(row, ls.stdout).toBeDefined();
  return row as string;
}

describe("the session list's preview", () => {
  it("shows a ruler redrawn in part as the screen shows it", async () => {
    // vim's way: the ruler on the bottom row, then, after a key, only the digits that changed
    // and the percentage rewritten in place (the bytes alone read "15 49%").
    const script = String.raw`stty -echo; printf '\033[?1049h\033[H\033[2Jtext\033[5;20H300,1\033[9CBot'; read x; printf '\033[5;20H15\033[5;34H49%%'; exec sleep 600`;
    await create("ruler", script);
    await waitFor(async () => (await storedOutput(hub, "ruler")).includes("Bot"), { message: "the ruler" });
    await hub.api("/api/sessions/ruler/input", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ data: "\r" }),
    });
    // The row's blanks are one space, as in the web list.
    await waitFor(async () => (await preview("ruler")) === "150,1 49%", {
      message: "the redrawn ruler as the preview",
    });
    expect(await lsRow("ruler")).toMatch(/ 150,1 49%$/);
  }, 60_000);

  it("leaves out a progress line the program erased", async () => {
    // A progress line redrawn with carriage returns, then erased: the screen shows the line
    // above it (the bytes alone read "copying 55%").
    await create(
      "copy",
      String.raw`printf 'copied 3 files\ncopying 10%%\rcopying 55%%\r\033[K'; exec sleep 600`,
    );
    await waitFor(async () => (await preview("copy")) === "copied 3 files", {
      message: "the line above the erased one as the preview",
    });
    expect(await lsRow("copy")).toMatch(/ copied 3 files$/);
  }, 60_000);
});
