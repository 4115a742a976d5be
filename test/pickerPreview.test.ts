/**
 * A session's previews show what its screen shows, read from the hub's screen of it, not from
 * the output read again without one, where a program that redraws only part of a row (vim's
 * ruler, top, less) left pieces that read wrong: the picker's last lines, and the session
 * list's one line (`dispatch ls --verbose`'s LAST OUTPUT, the web's list: the screen's last
 * non-blank row). Real hub, PTYs, picker, CLI.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, storedOutput, waitFor } from "./harness.js";
import { closeTtys, dispatchInPty, screenShows } from "./tty.js";
import { WireClient } from "./wire.js";

let hub: HubHandle;
const clients: WireClient[] = [];

beforeAll(async () => {
  // The screen worker stops soon after every screen is idle, as it does after 30 s in use.
  hub = await startHub({ env: { DISPATCH_SCREEN_IDLE_STOP: "1s" } });
});

afterEach(async () => {
  closeTtys();
  for (const c of clients.splice(0)) await c.close();
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

/** A client of the protocol, told of every change to the session list. */
async function listener(): Promise<WireClient> {
  const c = await WireClient.open(hub.url, { authorization: `Bearer ${hub.key}` });
  clients.push(c);
  await c.request({ type: "hello", protocol: 1 });
  return c;
}

/** The previews of `name` the client was told of, in order. */
function previewsTold(c: WireClient, name: string): string[] {
  return c.received.json
    .filter((m) => m.type === "session")
    .map((m) => m.session as { name: string; preview: string })
    .filter((s) => s.name === name)
    .map((s) => s.preview);
}

async function screenWorkerRunning(): Promise<boolean> {
  const text = await (await hub.api("/metrics")).text();
  return /^dispatch_screen_worker 1$/m.test(text);
}

async function preview(name: string): Promise<string> {
  const res = await hub.api(`/api/sessions/${name}`);
  return ((await res.json()) as { session: { preview: string } }).session.preview;
}

/** `name`'s row in `dispatch ls --verbose` (piped: nothing is cut, LAST OUTPUT ends it). */
function lsRow(table: string, name: string): string {
  // After the unread mark's column: the name.
  const row = table.split("\n").find((line) => line.trim().split(/\s+/).slice(0, 2).includes(name));
  expect(row, table).toBeDefined();
  return row as string;
}

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

describe("the session list's preview", () => {
  it("shows a ruler redrawn in part and leaves out an erased progress line, as the screen does", async () => {
    // vim's way: the ruler on the bottom row, then, after a key, only the digits that changed
    // and the percentage rewritten in place (the bytes alone read "15 49%").
    const ruler = String.raw`stty -echo; printf '\033[?1049h\033[H\033[2Jtext\033[5;20H300,1\033[9CBot'; read x; printf '\033[5;20H15\033[5;34H49%%'; exec sleep 600`;
    await create("vimlike", ruler);
    // A progress line redrawn with carriage returns, then erased: the screen shows the line
    // above it (the bytes alone read "copying 55%").
    await create(
      "copy",
      String.raw`printf 'copied 3 files\ncopying 10%%\rcopying 55%%\r\033[K'; exec sleep 600`,
    );
    // Read off the screen by the hub's screen worker, which runs at low priority: a loaded
    // machine may take a while to start it.
    const settled = { timeoutMs: 30_000 };
    // The row's blanks are one space, as in the web list.
    await waitFor(async () => (await preview("vimlike")) === "300,1 Bot", {
      ...settled,
      message: "the ruler as the preview",
    });
    // The key comes once the screen worker stopped, every screen idle: the redraw is printed on
    // a screen loaded from its snapshot then, and the list tells of no line read off the bytes
    // meanwhile (it told of "15 49%", then of the screen's line).
    await waitFor(async () => !(await screenWorkerRunning()), {
      ...settled,
      message: "the screen worker to stop while every screen is idle",
    });
    const list = await listener();
    await hub.api("/api/sessions/vimlike/input", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ data: "\r" }),
    });
    await waitFor(() => previewsTold(list, "vimlike").includes("150,1 49%"), {
      ...settled,
      message: "the redrawn ruler as the preview",
    });
    const told = previewsTold(list, "vimlike");
    expect(
      told.filter((line) => line !== "300,1 Bot" && line !== "150,1 49%"),
      told.join(" | "),
    ).toEqual([]);
    await waitFor(async () => (await preview("copy")) === "copied 3 files", {
      ...settled,
      message: "the line above the erased one as the preview",
    });
    const ls = await hub.cli(["ls", "--verbose"]);
    expect(ls.code, ls.stderr).toBe(0);
    expect(lsRow(ls.stdout, "vimlike")).toMatch(/ 150,1 49%$/);
    expect(lsRow(ls.stdout, "copy")).toMatch(/ copied 3 files$/);
  }, 90_000);
});
