/**
 * A session kind is one module per side: `counter` lives only in test/kinds/counter (its hub
 * half, its host runtime) and is loaded as a plug-in through DISPATCH_PLUGINS. It must work
 * end to end like a built-in kind: created over REST and the WebSocket, run by a real host,
 * its own events checked and stored, its commands answered by the host or the hub, its log
 * and record surviving a hub restart, and revived after it ended.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { cleanupAll, type HubHandle, REPO_ROOT, startHub, waitFor } from "./harness.js";
import { WireClient } from "./wire.js";

const PLUGIN = join(REPO_ROOT, "dist", "test", "kinds", "counter", "index.js");

let hub: HubHandle;
const clients: WireClient[] = [];

async function client(): Promise<WireClient> {
  const c = await WireClient.open(hub.url, { authorization: `Bearer ${hub.key}` });
  clients.push(c);
  await c.request({ type: "hello", protocol: 1 });
  return c;
}

async function json(
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await hub.api(path, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const session = async (name: string) =>
  (await json(`/api/sessions/${name}`)).body.session as Record<string, unknown> & {
    id: string;
    status: string;
  };

beforeAll(async () => {
  hub = await startHub({ env: { DISPATCH_PLUGINS: PLUGIN } });
});

afterAll(async () => {
  for (const c of clients) await c.close();
  await cleanupAll();
});

describe("a plug-in kind (counter)", () => {
  it("is created over REST, counts the lines sent over the WebSocket, and answers its commands", async () => {
    const created = await json("/api/sessions", {
      method: "POST",
      body: JSON.stringify({ kind: "counter", name: "tally" }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const info = created.body.session as { id: string; kind: string; capabilities?: string[] };
    expect(info.kind).toBe("counter");
    expect(info.capabilities).toEqual(["command"]);

    const c = await client();
    await c.request({ type: "attach", session: "tally", afterSeq: 0, snapshot: false });
    c.send({ type: "input", session: "tally", data: "apples\rpears\r" });
    await c.waitForOutput(info.id, "2: pears");

    // Through the WebSocket: routed to the runtime on its host.
    const viaSocket = await c.request({ type: "command", session: "tally", name: "total" });
    expect(viaSocket).toMatchObject({ type: "result", data: { total: 2 } });
    // Through REST: the same command, and one the hub answers from the record.
    const viaRest = await json("/api/sessions/tally/commands/total", { method: "POST" });
    expect(viaRest).toEqual({ status: 200, body: { result: { total: 2 } } });
    await waitFor(async () => ((await session("tally")).options as { total: number }).total === 2);
    expect((await json("/api/sessions/tally/commands/stored", { method: "POST" })).body).toEqual({
      result: { total: 2 },
    });

    // Its own events are in the log, in order, with the core ones.
    const events = (await json("/api/sessions/tally/events")).body.events as {
      type: string;
      data: unknown;
    }[];
    expect(events.filter((e) => e.type === "count").map((e) => e.data)).toEqual([
      { total: 1, line: "apples" },
      { total: 2, line: "pears" },
    ]);
    expect(events[0]?.type).toBe("start");
  });

  it("refuses what the kind does not define, with a clear error, and stays connected", async () => {
    const c = await client();
    const unknown = await c.request({ type: "command", session: "tally", name: "reset" });
    expect(unknown).toMatchObject({ type: "error", code: "bad_request" });
    expect(String(unknown.message)).toContain("no command 'reset' (they have: total, stored)");
    const badArgs = await json("/api/sessions/tally/commands/total", { method: "POST", body: "[1]" });
    expect(badArgs.status).toBe(400);
    expect(JSON.stringify(badArgs.body)).toContain("invalid arguments for 'total'");
    // No size: resizing is refused rather than silently pretending.
    const resize = await c.request({ type: "resize", session: "tally", cols: 100, rows: 30 });
    expect(resize).toMatchObject({ type: "error", code: "bad_request" });
    expect(String(resize.message)).toContain("'counter' sessions have no size");
    // A terminal has no counter commands either.
    const shell = await json("/api/sessions", { method: "POST", body: JSON.stringify({ command: ["cat"] }) });
    const name = (shell.body.session as { name: string }).name;
    const wrongKind = await json(`/api/sessions/${name}/commands/total`, { method: "POST" });
    expect(wrongKind.status).toBe(400);
    expect(JSON.stringify(wrongKind.body)).toContain("'terminal' sessions have no commands");
    // `dispatch cmd NAME` alone lists what the session's kind accepts, as the plug-in says it.
    const listed = await hub.cli(["cmd", "tally"]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.split("\n")[0]).toMatch(/^COMMAND\s+ACCESS\s+WHAT IT DOES$/);
    expect(listed.stdout).toMatch(/^total\s+(read|input|control)\s+lines counted so far$/m);
    expect(listed.stdout).toMatch(/^stored\s+(read|input|control)\s+the total the hub has stored$/m);
    const none = await hub.cli(["cmd", name]);
    expect(none).toMatchObject({
      code: 1,
      stderr: `dispatch: '${name}' is a terminal session, and terminal sessions have no commands\n`,
    });
    expect(await c.request({ type: "ping" })).toMatchObject({ type: "pong" });
  });

  it("keeps its log and record through a hub restart, counts on, and is revived after it ended", async () => {
    const before = await session("tally");
    const stopped = await hub.cli(["stop"]);
    expect(stopped.code, stopped.stderr).toBe(0);
    const started = await hub.cli(["start", "--port", "0"]);
    expect(started.code, started.stderr).toBe(0);

    // The runtime kept running in the host; the hub takes the log up again.
    const after = await session("tally");
    expect(after.status).toBe("running");
    expect(after.lastSeq).toBe(before.lastSeq);
    const c = await client();
    await c.request({ type: "attach", session: "tally", afterSeq: 0, snapshot: false });
    c.send({ type: "input", session: "tally", data: "plums\r" });
    await c.waitForOutput(before.id, "3: plums");
    expect(await c.request({ type: "command", session: "tally", name: "total" })).toMatchObject({
      data: { total: 3 },
    });
    const seqs = c.seqs(before.id);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));

    // Ended: commands that need the runtime say so; revive continues the count and the log.
    const killed = await json("/api/sessions/tally", { method: "DELETE" });
    expect((killed.body.session as { status: string }).status).toBe("exited");
    const late = await json("/api/sessions/tally/commands/total", { method: "POST" });
    expect(late.status).toBe(409);
    expect(JSON.stringify(late.body)).toContain("'total' was not run");
    const revived = await json("/api/sessions/tally/revive", { method: "POST" });
    expect(revived.status, JSON.stringify(revived.body)).toBe(200);
    await c.waitForOutput(before.id, "counting from 3");
    c.send({ type: "input", session: "tally", data: "figs\r" });
    await c.waitForOutput(before.id, "4: figs");
    const all = c.seqs(before.id);
    expect(all).toEqual(all.map((_, i) => i + 1));
  });

  it("refuses an event type the session's kind does not declare, storing nothing for it", async () => {
    // A host speaking the real protocol over /host, sending what no well-behaved runtime would.
    const token = (await hub.cli(["hosts", "token", "create", "rogue"])).stdout.trim();
    const ws = new WebSocket(`${hub.url.replace(/^http/, "ws")}/host`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const received: Record<string, unknown>[] = [];
    ws.on("message", (raw, isBinary) => {
      if (!isBinary) received.push(JSON.parse(raw.toString()) as Record<string, unknown>);
    });
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    try {
      const host = { id: "rogue", name: "rogue", hostname: "h", os: "linux", arch: "x64", version: "0" };
      ws.send(
        JSON.stringify({
          type: "hello",
          protocol: 1,
          host: { ...host, pid: 1, capabilities: [], labels: {} },
          sessions: [],
        }),
      );
      await waitFor(() => received.find((m) => m.type === "sync"));
      const creating = json("/api/sessions", {
        method: "POST",
        body: JSON.stringify({ name: "victim", host: "rogue", command: ["sh"] }),
      });
      const spawn = await waitFor(() => received.find((m) => m.type === "spawn"));
      const id = (spawn.spec as { id: string }).id;
      ws.send(
        JSON.stringify({ type: "reply", ref: spawn.ref, ok: true, data: { pid: 7, capabilities: [] } }),
      );
      expect((await creating).status).toBe(201);
      const send = (seq: number, type: string, data: Record<string, unknown>) =>
        ws.send(JSON.stringify({ type: "event", event: { session: id, seq, ts: Date.now(), type, data } }));
      send(1, "start", { pid: 7, command: ["sh"], cwd: "/", cols: 80, rows: 24 });
      send(2, "state", { state: "waiting", message: "not an agent", source: "hook" }); // an agent's type
      send(3, "bogus", { anything: true }); // nobody's type
      send(4, "resize", { cols: "wide" }); // a core type with a bad payload
      send(5, "status", { foreground: "vim" });
      await waitFor(async () => (await session("victim")).foreground === "vim");
      const events = (await json("/api/sessions/victim/events")).body.events as {
        seq: number;
        type: string;
      }[];
      // Nothing refused was stored; the seqs it held are an explicit gap, the log stays contiguous.
      expect(events.map((e) => [e.seq, e.type])).toEqual([
        [1, "start"],
        [4, "gap"],
        [5, "status"],
      ]);
      expect((await session("victim")).agent).toBeUndefined();
      // The link lives on: the host is still connected.
      expect(ws.readyState).toBe(WebSocket.OPEN);
    } finally {
      ws.terminate();
    }
  });
});
