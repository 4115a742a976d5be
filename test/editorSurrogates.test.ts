/**
 * Characters outside Unicode's basic plane in editor sessions (an emoji: one character, two
 * UTF-16 code units, a surrogate pair) through a real hub, host and files. Yjs stores strings
 * as UTF-8, so half a pair cut off by the host (a load chunk's edge, an edit's position, a
 * reload's smallest change) became U+FFFD in the log, and a revive then wrote that damage over
 * a file nobody had edited.
 */

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiCall, cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";

/** The editor's load chunk (`LOAD_CHUNK_CHARS` in host/runtimes/editor.ts). */
const LOAD_CHUNK_CHARS = 512 * 1024;

let hub: HubHandle;
let root: string;

function call(path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return apiCall(hub, path, body);
}

async function textOf(name: string): Promise<{ text: string; seq: number }> {
  const reply = await call(`/api/sessions/${name}/text`);
  expect(reply.status, JSON.stringify(reply.body).slice(0, 500)).toBe(200);
  return reply.body as { text: string; seq: number };
}

async function session(
  name: string,
): Promise<{ status: string; lastSeq: number; options?: { status?: string } }> {
  return (await call(`/api/sessions/${name}`)).body.session as {
    status: string;
    lastSeq: number;
    options?: { status?: string };
  };
}

/** Where two long texts first differ, for a readable failure (a 512K-character diff is not). */
function firstDifference(actual: string, expected: string): string | undefined {
  if (actual === expected) return undefined;
  let at = 0;
  while (at < actual.length && actual.charCodeAt(at) === expected.charCodeAt(at)) at++;
  const show = (text: string) => JSON.stringify(text.slice(Math.max(0, at - 2), at + 4));
  return `differs at ${at} (lengths ${actual.length} and ${expected.length}): ${show(actual)} instead of ${show(expected)}`;
}

/** Opens `file` in an editor session, as `dispatch edit FILE` does; its name. */
async function edit(file: string): Promise<string> {
  const opened = await call("/api/sessions", { kind: "editor", options: { path: file } });
  expect(opened.status, JSON.stringify(opened.body)).toBe(201);
  return (opened.body.session as { name: string }).name;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "dispatch-editor-emoji-"));
  hub = await startHub({ env: { DISPATCH_EDITOR_ROOTS: root } });
});

afterAll(async () => {
  await cleanupAll();
  rmSync(root, { recursive: true, force: true });
});

describe("editor sessions and surrogate pairs", () => {
  it("loads an emoji on a load chunk's edge whole: open, kill and revive leave the file byte for byte", async () => {
    const file = join(root, "emoji.txt");
    const content = `${"a".repeat(LOAD_CHUNK_CHARS - 1)}😀${"b".repeat(10)}\n`;
    writeFileSync(file, content);
    const bytes = readFileSync(file);
    const before = statSync(file);
    const opened = await hub.cli(["edit", file]);
    expect(opened.code, opened.stderr).toBe(0);
    const name = opened.stdout.trim();

    const live = await textOf(name);
    expect(firstDifference(live.text, content)).toBeUndefined();
    // The log holds the text whole: rebuilt from the stored events, it is the file.
    await waitFor(async () => (await session(name)).lastSeq >= live.seq);
    const rebuilt = await call(`/api/sessions/${name}/commands/at`, { seq: live.seq });
    expect(rebuilt.status).toBe(200);
    expect(firstDifference((rebuilt.body.result as { text: string }).text, content)).toBeUndefined();

    const killed = await hub.cli(["kill", name]);
    expect(killed.code, killed.stderr).toBe(0);
    await waitFor(async () => (await session(name)).status === "exited", { message: "the editor ended" });
    const revived = await hub.cli(["revive", name]);
    expect(revived.code, revived.stderr).toBe(0);
    // `text` answers once the revived editor has compared its document with the disk.
    expect(firstDifference((await textOf(name)).text, content)).toBeUndefined();
    await waitFor(async () => (await session(name)).options?.status === "clean");

    expect(readFileSync(file).equals(bytes)).toBe(true);
    const after = statSync(file);
    // Not even rewritten with the same bytes: a save renames a new file over it (a new inode).
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
  });

  it("refuses an edit whose position falls inside an emoji, saying why, and changes nothing", async () => {
    const file = join(root, "smile.txt");
    const content = "😀 smile\n";
    writeFileSync(file, content);
    const name = await edit(file);
    expect((await textOf(name)).text).toBe(content);

    const inside = await hub.cli(["cmd", name, "edits", '{"edits":[{"from":1,"to":1,"insert":"Q"}]}']);
    expect(inside.code).not.toBe(0);
    expect(inside.stderr).toMatch(/position 1 splits the character '😀' \(U\+1F600\)/);
    expect(inside.stderr).toMatch(/use 0 \(before it\) or 2 \(after it\)/);
    const halfDeleted = await call(`/api/sessions/${name}/edits`, {
      edits: [{ from: 0, to: 1, insert: "" }],
    });
    expect(halfDeleted.status).toBe(400);
    expect(String((halfDeleted.body.error as { message: string }).message)).toMatch(/position 1 splits/);
    const halfInserted = await hub.cli([
      "cmd",
      name,
      "edits",
      '{"edits":[{"from":0,"to":0,"insert":"\\ud83d"}]}',
    ]);
    expect(halfInserted.code).not.toBe(0);
    expect(halfInserted.stderr).toMatch(/half a character/);
    expect((await textOf(name)).text).toBe(content);

    // Positions on either side of it are fine, and what is saved is whole.
    const after = await call(`/api/sessions/${name}/edits`, { edits: [{ from: 2, to: 2, insert: "Q" }] });
    expect(after.status, JSON.stringify(after.body)).toBe(200);
    expect((await call(`/api/sessions/${name}/save`, {})).status).toBe(200);
    expect(readFileSync(file, "utf8")).toBe("😀Q smile\n");
  });

  it("reloads a change on disk that swaps one emoji for another, and its log holds the new one whole", async () => {
    const file = join(root, "swap.txt");
    writeFileSync(file, "x😀y\n");
    const name = await edit(file);
    expect((await textOf(name)).text).toBe("x😀y\n");
    writeFileSync(file, "x😁y\n");
    const reloaded = await waitFor(
      async () => {
        const now = await textOf(name);
        return now.text !== "x😀y\n" ? now : undefined;
      },
      { message: "the reload" },
    );
    expect(reloaded.text).toBe("x😁y\n");
    await waitFor(async () => (await session(name)).lastSeq >= reloaded.seq);
    const rebuilt = await call(`/api/sessions/${name}/commands/at`, { seq: reloaded.seq });
    expect((rebuilt.body.result as { text: string }).text).toBe("x😁y\n");
  });
});
