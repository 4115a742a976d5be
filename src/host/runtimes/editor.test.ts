/**
 * An editor revived from a log that an older host damaged: its load cut a surrogate pair
 * between two updates, and Yjs stored each half as U+FFFD. The revive used to see a text that
 * differs from the unchanged file and save it, writing the damage over a file nobody edited.
 * The real runtime on a real file; the log's state is made the way the old loader made it.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as Y from "yjs";
import { applyChecked, fromBase64, textOf, toBase64 } from "../../kinds/editor/yjsText.js";
import type { SessionRuntime } from "./runtime.js";

const root = mkdtempSync(join(tmpdir(), "dispatch-editor-revive-"));
let EditorRuntime: typeof import("./editor.js").EditorRuntime;
const opened: SessionRuntime[] = [];

beforeAll(async () => {
  // The editor reads its roots when its module loads (the host scrubs DISPATCH_* after).
  vi.stubEnv("DISPATCH_EDITOR_ROOTS", root);
  // Loaded anew: a file before this one in the same worker may have loaded it with other roots.
  vi.resetModules();
  ({ EditorRuntime } = await import("./editor.js"));
});

afterAll(() => {
  for (const runtime of opened) runtime.dispose();
  vi.unstubAllEnvs();
  rmSync(root, { recursive: true, force: true });
});

/** The log's state after the old loader: the text in updates cut at `cuts` (code units). */
function oldLoad(text: string, cuts: number[], then?: (doc: Y.Doc) => void): string {
  const host = new Y.Doc();
  const updates: Uint8Array[] = [];
  host.on("update", (update: Uint8Array) => updates.push(update));
  let at = 0;
  for (const cut of [...cuts, text.length]) {
    host.transact(() => textOf(host).insert(at, text.slice(at, cut)));
    at = cut;
  }
  const logged = new Y.Doc();
  for (const update of updates) applyChecked(logged, update, "log");
  then?.(logged);
  return toBase64(Y.encodeStateAsUpdate(logged));
}

interface Revived {
  runtime: SessionRuntime;
  events: { type: string; data: Record<string, unknown> }[];
}

function revive(path: string, state: string): Revived {
  const events: Revived["events"] = [];
  let seq = 100;
  const runtime = new EditorRuntime({
    spec: {
      id: "s1",
      kind: "editor",
      command: [],
      cwd: root,
      env: {},
      cols: 80,
      rows: 24,
      afterSeq: seq,
      options: {
        path,
        create: true,
        state,
        hash: createHash("sha256").update(readFileSync(path)).digest("hex"),
      },
    },
    env: {},
    events: {
      output() {},
      emit(type, data) {
        events.push({ type, data });
        return ++seq;
      },
    },
    exited() {},
    runDir: root,
  });
  opened.push(runtime);
  return { runtime, events };
}

/** The text a later revive rebuilds: the old state plus every update this runtime logged. */
function relogged(state: string, events: Revived["events"]): string {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, fromBase64(state));
  for (const event of events)
    if (event.type === "update") applyChecked(doc, fromBase64(String(event.data.update)), "log");
  return textOf(doc).toString();
}

describe("reviving an editor from a log with damaged characters", () => {
  it("never writes the damage over a file nobody edited; it takes the file's text back into the log", async () => {
    const path = join(root, "untouched.txt");
    const content = "ab😀cd 😎 ok\n";
    writeFileSync(path, content);
    const before = statSync(path);
    // Cut inside both emoji, as the old 512K-character chunks did on big files.
    const state = oldLoad(content, [3, 8]);
    expect(relogged(state, [])).toBe("ab\uFFFD\uFFFDcd \uFFFD\uFFFD ok\n");

    const { runtime, events } = revive(path, state);
    const answer = (await runtime.command?.("text", {})) as { text: string; status: string };
    expect(answer).toMatchObject({ text: content, status: "clean" });
    expect(readFileSync(path, "utf8")).toBe(content);
    expect(statSync(path).ino).toBe(before.ino);
    expect(statSync(path).mtimeMs).toBe(before.mtimeMs);
    expect(events.filter((e) => e.type === "file").at(-1)?.data).toMatchObject({ status: "clean" });
    // The next revive starts from a whole text.
    expect(relogged(state, events)).toBe(content);
  });

  it("asks before saving edits over such damage: a conflict, the file untouched", async () => {
    const path = join(root, "edited.txt");
    const content = "ab😀cd\n";
    writeFileSync(path, content);
    const before = statSync(path);
    const state = oldLoad(content, [3], (doc) => textOf(doc).insert(0, "new "));

    const { runtime } = revive(path, state);
    const answer = (await runtime.command?.("text", {})) as { text: string; status: string };
    expect(answer.status).toBe("conflict");
    expect(answer.text).toBe("new ab\uFFFD\uFFFDcd\n");
    const three = (await runtime.command?.("conflict", {})) as Record<string, string>;
    expect(three).toEqual({ base: content, disk: content, buffer: "new ab\uFFFD\uFFFDcd\n" });
    expect(readFileSync(path, "utf8")).toBe(content);
    expect(statSync(path).ino).toBe(before.ino);

    // Saving the edits is then the person's choice.
    await runtime.command?.("resolve", { take: "text", text: "new ab😀cd\n" });
    await runtime.command?.("save", {});
    expect(readFileSync(path, "utf8")).toBe("new ab😀cd\n");
  });
});
