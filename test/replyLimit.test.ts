/**
 * A session command's reply larger than one host-to-hub message may be (8 MiB): the hub used to
 * close the host's link on it ("Max payload size exceeded"), cutting off every session of that
 * host, and again on each retry. Now the host answers with an error saying how large the reply
 * was and what to do, and its link stays up. Through a real hub and host, for a plug-in kind
 * (`test/kinds/bulky`, a reply of any size) and the editor (its text, a conflict's three texts).
 * The same for a session's event that large (any kind's: the plug-in's), which the host sent
 * again on every reconnect, so its host was cut off for good: a small `gap` takes its place.
 * And for the host's hello, which lists every session with its kind options: sessions whose
 * options add up to more than the limit made the hub refuse every hello of their host.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_HOST_MESSAGE_BYTES } from "../src/protocol/host.js";
import {
  apiCall,
  cleanupAll,
  type HubHandle,
  REPO_ROOT,
  startHub,
  storedOutput,
  waitFor,
} from "./harness.js";

const BULKY = join(REPO_ROOT, "dist", "test", "kinds", "bulky", "index.js");
const MIB = 1024 * 1024;

let hub: HubHandle;
let root: string;

function call(path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return apiCall(hub, path, body);
}

function errorOf(reply: { body: Record<string, unknown> }): string {
  return String((reply.body.error as { message?: string } | undefined)?.message);
}

/** When the hub's link to the local host came up: a dropped and remade link changes it. */
async function linkedSince(): Promise<number> {
  const reply = await call("/api/hosts/local");
  const host = reply.body.host as { status: string; connectedSince: number };
  expect(host.status).toBe("connected");
  return host.connectedSince;
}

async function openEditor(name: string, path: string): Promise<void> {
  const opened = await call("/api/sessions", { kind: "editor", name, options: { path } });
  expect(opened.status, JSON.stringify(opened.body)).toBe(201);
}

/** The host's link was never dropped, and its other sessions answer over it. */
async function expectHostStillLinked(since: number): Promise<void> {
  const text = await call("/api/sessions/neighbour/text");
  expect(text.status, JSON.stringify(text.body)).toBe(200);
  expect(text.body.text).toBe("still here\n");
  expect(await linkedSince()).toBe(since);
}

/** Text of `bytes` bytes in lines of 80, the way source files and logs look. */
function lines(bytes: number, fill = "x"): string {
  const line = `${fill.repeat(79)}\n`;
  return line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "dispatch-reply-limit-"));
  hub = await startHub({ env: { DISPATCH_EDITOR_ROOTS: root, DISPATCH_PLUGINS: BULKY } });
  // A small editor session on the same host, to show the host's other sessions keep working.
  writeFileSync(join(root, "neighbour.txt"), "still here\n");
  await openEditor("neighbour", "neighbour.txt");
});

afterAll(async () => {
  await cleanupAll();
  rmSync(root, { recursive: true, force: true });
});

describe("replies larger than the host link carries", () => {
  it("answers any kind's too-large reply with an error naming its size and the limit; the host stays linked", async () => {
    const created = await call("/api/sessions", { kind: "bulky", name: "bulky" });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const since = await linkedSince();

    const tooLarge = await call("/api/sessions/bulky/commands/blob", { bytes: 9 * MIB });
    expect(tooLarge.status).toBe(413);
    expect(errorOf(tooLarge)).toMatch(
      /the answer to 'blob' is 9\.0 MiB, more than the 8\.0 MiB one message from a host to the hub may hold/,
    );
    const cli = await hub.cli(["cmd", "bulky", "blob", JSON.stringify({ bytes: 9 * MIB })]);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/9\.0 MiB, more than the 8\.0 MiB/);
    await expectHostStillLinked(since);

    // A reply that fits still comes back whole, over the same link.
    const fits = await call("/api/sessions/bulky/commands/blob", { bytes: MAX_HOST_MESSAGE_BYTES - 1024 });
    expect(fits.status).toBe(200);
    expect((fits.body.result as { blob: string }).blob.length).toBe(MAX_HOST_MESSAGE_BYTES - 1024);
    await expectHostStillLinked(since);
  });

  it("refuses to open a file whose text would not fit in one reply, saying so", async () => {
    writeFileSync(join(root, "huge.txt"), lines(8.8 * MIB));
    const huge = await call("/api/sessions", { kind: "editor", options: { path: "huge.txt" } });
    expect(huge.status).toBe(413);
    expect(errorOf(huge)).toMatch(/huge\.txt is 8\.8 MiB; the editor opens files up to 7\.9 MiB/);
    expect(errorOf(huge)).toMatch(/fits in one answer from the host/);

    // Small in bytes, large as JSON: a tab is one byte in the file and two in a reply.
    writeFileSync(join(root, "tabs.txt"), "\t".repeat(4.5 * MIB));
    const tabs = await call("/api/sessions", { kind: "editor", options: { path: "tabs.txt" } });
    expect(tabs.status).toBe(413);
    expect(errorOf(tabs)).toMatch(/tabs\.txt is 4\.5 MiB, but 9\.0 MiB as text in a reply/);
  });

  it("refuses to send a text that grew past one reply, and the host stays linked", async () => {
    const file = join(root, "grown.txt");
    writeFileSync(file, lines(7.5 * MIB));
    await openEditor("grown", file);
    const edited = await call("/api/sessions/grown/edits", {
      edits: [{ from: 0, to: 0, insert: lines(MIB, "y") }],
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    const since = await linkedSince();

    const cat = await hub.cli(["cat", "grown"]);
    expect(cat.code).not.toBe(0);
    expect(cat.stderr).toMatch(
      /the text is now 8\.6 MiB as a reply, more than the 8\.0 MiB one answer from the host carries/,
    );
    await expectHostStillLinked(since);
  });

  it("refuses to show a conflict whose three texts would not fit in one reply; it resolves without them", async () => {
    const file = join(root, "conflict.txt");
    const base = lines(3.3 * MIB);
    writeFileSync(file, base);
    await openEditor("split", file);
    const edited = await call("/api/sessions/split/edits", { edits: [{ from: 0, to: 0, insert: "mine\n" }] });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    writeFileSync(file, `theirs\n${base}`);
    await waitFor(
      async () =>
        ((await call("/api/sessions/split")).body.session as { options: { status: string } }).options
          .status === "conflict",
      { message: "the conflict" },
    );
    const since = await linkedSince();

    const three = await hub.cli(["cmd", "split", "conflict"]);
    expect(three.code).not.toBe(0);
    expect(three.stderr).toMatch(/three texts \(base, disk, buffer\) come to 10\.0 MiB as a reply/);
    expect(three.stderr).toMatch(/resolve take=disk/);
    await expectHostStillLinked(since);

    const resolved = await call("/api/sessions/split/commands/resolve", { take: "buffer" });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    expect((await call("/api/sessions/split/save", {})).status).toBe(200);
    expect(readFileSync(file, "utf8")).toBe(`mine\n${base}`);
  });

  it("replaces any kind's event too large for the link by a gap saying what was dropped; the host's sessions carry on", async () => {
    const created = await call("/api/sessions", { kind: "bulky", name: "loud" });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const echo = await call("/api/sessions", { name: "echo", cwd: root, command: ["cat"] });
    expect(echo.status, JSON.stringify(echo.body)).toBe(201);
    const since = await linkedSince();

    const shout = await call("/api/sessions/loud/commands/shout", { bytes: 9 * MIB });
    expect(shout.status, JSON.stringify(shout.body)).toBe(200);
    const seq = (shout.body.result as { seq: number }).seq;
    // The session carries on: the small event after it arrives, the dropped one's seq holds the gap.
    const events = await waitFor(
      async () => {
        const page = await call(`/api/sessions/loud/events?after=${seq - 1}`);
        const found = page.body.events as { seq: number; type: string; data: Record<string, unknown> }[];
        return found.length >= 2 && found;
      },
      { message: "the events from the dropped one's seq" },
    );
    expect(events.slice(0, 2)).toMatchObject([
      {
        seq,
        type: "gap",
        data: {
          fromSeq: seq,
          bytes: 0,
          dropped: { type: "blob", bytes: expect.any(Number) },
          reason: expect.stringMatching(
            /^the 'blob' event was 9\.0 MiB, more than the 8\.0 MiB one message from a host to the hub may hold, so the host dropped it/,
          ),
        },
      },
      { seq: seq + 1, type: "blob", data: { text: "after" } },
    ]);
    const gap = events[0] as { data: { dropped: { bytes: number } } };
    expect(gap.data.dropped.bytes).toBeGreaterThan(9 * MIB);
    // `dispatch logs` says why, not that output was lost.
    const logs = await hub.cli(["logs", "loud"]);
    expect(logs.stderr).toContain(`[dispatch: at seq ${seq}, the 'blob' event was 9.0 MiB`);
    expect(logs.stderr).not.toContain("output lost");

    // Another session of the host still streams, over the link it had.
    expect((await call("/api/sessions/echo/input", { data: "still-streaming\r" })).status).toBe(200);
    await waitFor(async () => (await storedOutput(hub, "echo")).includes("still-streaming"), {
      message: "the terminal's echo",
    });
    await expectHostStillLinked(since);
  });
});

describe("a message to a host larger than its link carries", () => {
  it("refuses to send a host a revive too large for its link, saying so; the host stays linked", async () => {
    const created = await call("/api/sessions", {
      kind: "bulky",
      name: "heavy",
      options: { reviveBytes: 9 * MIB },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await hub.api("/api/sessions/heavy", { method: "DELETE" })).status).toBe(200);
    const since = await linkedSince();

    const revived = await call("/api/sessions/heavy/revive", {});
    expect(revived.status, JSON.stringify(revived.body)).toBe(413);
    expect(errorOf(revived)).toMatch(
      /^The start of session 'heavy' is 9\.0 MiB, more than the 8\.0 MiB one message from the hub to a host may hold, so the hub did not send it to host 'local' \(its link and sessions are unharmed\)/,
    );
    await expectHostStillLinked(since);
  });
});

describe("a hello larger than the host link carries", () => {
  it("links a host whose sessions' options add up to more than one message, every session kept", async () => {
    // Six sessions of 1.5 MiB options each: a hello of 9 MiB, which the host sends at every connect.
    const names = Array.from({ length: 6 }, (_, i) => `noted-${i}`);
    // Made side by side: each is a round trip to the host carrying its 1.5 MiB.
    const made = await Promise.all(
      names.map((name) =>
        call("/api/sessions", { kind: "bulky", name, options: { note: lines(1.5 * MIB) } }),
      ),
    );
    for (const created of made) expect(created.status, JSON.stringify(created.body)).toBe(201);
    const port = hub.port;
    const stopped = await hub.cli(["stop"]);
    expect(stopped.code, stopped.stderr).toBe(0);
    const started = await hub.cli(["start", "--port", String(port)]);
    expect(started.code, started.stderr).toBe(0);

    // The hub takes the restarted link's hello: the host is connected and every session with it.
    await waitFor(
      async () => ((await call("/api/hosts/local")).body.host as { status: string }).status === "connected",
      { message: "the host linked again after the hub restarted" },
    );
    for (const name of [...names, "neighbour"]) {
      const session = (await call(`/api/sessions/${name}`)).body.session as {
        status: string;
        reachable: boolean;
      };
      expect(session, name).toMatchObject({ status: "running", reachable: true });
    }
    const blob = await call(`/api/sessions/${names[5]}/commands/blob`, { bytes: 3 });
    expect(blob.status, JSON.stringify(blob.body)).toBe(200);
    expect(blob.body.result).toEqual({ blob: "xxx" });
  });
});
