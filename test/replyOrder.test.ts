/**
 * A host's answer about a session never overtakes that session's events: right after an
 * answer reaches its caller, the stored log already holds what the session did before it (an
 * edit's event, an evaluation's `eval-end`), even while another session on the same host floods
 * the link (its events wait behind the link's window, and the hub commits them in batches).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiCall, cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";

/** Rounds made while the flood runs: each is one chance for an answer to overtake its events. */
const ROUNDS = 8;

let hub: HubHandle;
let root: string;

async function session(name: string): Promise<{ lastSeq: number; options: Record<string, unknown> }> {
  return (await apiCall(hub, `/api/sessions/${name}`)).body.session as never;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "dispatch-reply-order-"));
  hub = await startHub({ env: { DISPATCH_EDITOR_ROOTS: root } });
});

afterAll(async () => {
  await cleanupAll();
  rmSync(root, { recursive: true, force: true });
});

describe("a host's answers and its sessions' events", () => {
  it("stores an edit and an evaluation's end before their answers, while another session floods the host", async () => {
    const file = join(root, "doc.txt");
    writeFileSync(file, "");
    const workspace = await apiCall(hub, "/api/sessions", {
      name: "calc",
      kind: "workspace",
      options: { kernel: "python3" },
    });
    expect(workspace.status, JSON.stringify(workspace.body)).toBe(201);
    const opened = await apiCall(hub, "/api/sessions", {
      name: "doc",
      kind: "editor",
      options: { path: file },
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    await waitFor(async () => (await session("calc")).options.connection === "connected", {
      timeoutMs: 30_000,
      message: "the kernel connected",
    });
    // Bounded, so a slow run cannot fill the disk; far more than the rounds below take.
    const flood = await apiCall(hub, "/api/sessions", {
      name: "flood",
      command: ["sh", "-c", "yes 0123456789abcdef0123456789abcdef | head -c 200000000; exec sleep 600"],
    });
    expect(flood.status, JSON.stringify(flood.body)).toBe(201);
    // Under way: a few MiB stored, so the link's window is full from here on.
    await waitFor(async () => (await session("flood")).lastSeq > 100);
    const overtaken: string[] = [];
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        const edited = await apiCall(hub, "/api/sessions/doc/edits", {
          edits: [{ from: 0, to: 0, insert: "x" }],
          client: "script",
        });
        expect(edited.status, JSON.stringify(edited.body)).toBe(200);
        const { seq } = edited.body as { seq: number };
        const stored = (await apiCall(hub, `/api/sessions/doc/events?after=${seq - 1}&limit=1`)).body as {
          events: { seq: number }[];
        };
        if (stored.events[0]?.seq !== seq) overtaken.push(`edit ${seq}`);

        const evaluated = await apiCall(hub, "/api/sessions/calc/commands/eval", { code: `${round}` });
        expect(evaluated.status, JSON.stringify(evaluated.body)).toBe(200);
        const history = (await apiCall(hub, "/api/sessions/calc/commands/history", {})).body.result as {
          history: { status: string }[];
        };
        const cells = history.history.length;
        const last = history.history.at(-1)?.status;
        if (cells !== round || last !== "ok")
          overtaken.push(`eval ${round}: ${cells} cells stored, the last ${last}`);
      }
    } finally {
      await hub.api("/api/sessions/flood", { method: "DELETE" });
    }
    // Every answered edit and evaluation was in the log when its answer came.
    expect(overtaken).toEqual([]);
  });
});
