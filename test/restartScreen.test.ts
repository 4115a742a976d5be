/**
 * After a hub restart the hub builds each session's screen lazily (on first use, or in the
 * background once the catch-up is done). A client that asks for the screen right after the
 * restart must still get it at once, as a snapshot, and end at the same screen as a client that
 * replays every event. Real hub, host, PTYs and store.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it, type TestContext } from "vitest";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";
import { renderScreen } from "./screen.js";
import { helloClient, type WireClient } from "./wire.js";

afterAll(cleanupAll);

/**
 * A hub of the test's own with its clients, stopped when that test finishes (pass or fail).
 * Per test, not per file: the two tests run side by side (the second mostly waits for the
 * screen worker's idle stop), and one's cleanup must not stop the other's hub.
 */
async function ownHub(
  test: TestContext,
  env: Record<string, string> = {},
): Promise<{ h: HubHandle; client: () => Promise<WireClient> }> {
  const clients: WireClient[] = [];
  const h = await startHub({ env });
  test.onTestFinished(async () => {
    for (const c of clients.splice(0)) await c.close();
    await h.stop();
  });
  return { h, client: () => helloClient(h, clients) };
}

/** An 80×24 terminal session running `script`. */
async function terminal(h: HubHandle, script: string): Promise<{ id: string; name: string }> {
  const res = await h.api("/api/sessions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ command: ["sh", "-c", script], cols: 80, rows: 24 }),
  });
  expect(res.status).toBe(201);
  return (await res.json()).session;
}

async function lastSeq(h: HubHandle, name: string): Promise<number> {
  const body = await h.api(`/api/sessions/${name}`).then((r) => r.json());
  return body.session.lastSeq;
}

describe.concurrent("screens after a hub restart", () => {
  it("gives a client attaching right after the restart the screen printed while the hub was away", async (test) => {
    const { h, client } = await ownHub(test);
    const go = join(h.home, "go");
    const done = join(h.home, "done");
    // Silent until the hub is gone, so no screen (nor snapshot) exists before the restart.
    const script =
      `while [ ! -f ${go} ]; do sleep 0.05; done; ` +
      `i=0; while [ $i -lt 300 ]; do i=$((i+1)); echo row-$i; done; printf '\\033[1mthe end'; touch ${done}; sleep 120`;
    const s = await terminal(h, script);

    const stopped = await h.cli(["stop"]);
    expect(stopped.code, stopped.stderr).toBe(0);
    writeFileSync(go, "");
    await waitFor(() => existsSync(done), {
      timeoutMs: 20_000,
      message: "the session to print while the hub is away",
    });
    const started = await h.cli(["start", "--port", String(h.port)]);
    expect(started.code, started.stderr).toBe(0);

    // The host's replay is stored, then a fresh client asks for the screen.
    await waitFor(async () => (await lastSeq(h, s.name)) >= 2, {
      timeoutMs: 20_000,
      message: "the replay to be stored",
    });
    const target = await lastSeq(h, s.name);
    const fresh = await client();
    await fresh.request({ type: "attach", session: s.id, afterSeq: 0, snapshot: true });
    await waitFor(() => fresh.stream(s.id)[0]?.kind === "snapshot", { message: "a snapshot first" });
    const first = fresh.stream(s.id)[0] as { seq: number; data: string };
    // Taken after the replay was stored: it already holds the output printed during the downtime.
    expect(first.seq).toBeGreaterThanOrEqual(target);

    const full = await client();
    await full.request({ type: "attach", session: s.id, afterSeq: 0, snapshot: false });
    await full.waitForOutput(s.id, "the end", 20_000);
    const a = await renderScreen(fresh, s.id, 80, 24);
    const b = await renderScreen(full, s.id, 80, 24);
    expect(a).toContain("row-300");
    expect(a).toContain("the end");
    expect(a).toBe(b);
  });
});

describe.concurrent("screens after the screen worker stopped for idleness", () => {
  it("stops the worker once every screen is quiet and snapshotted, and starts it again for new output", async (test) => {
    const { h, client } = await ownHub(test, { DISPATCH_SCREEN_IDLE_STOP: "1s" });
    const worker = async () => {
      const text = await (await h.api("/metrics")).text();
      return Number(/^dispatch_screen_worker (\d)$/m.exec(text)?.[1]);
    };
    const script = "printf '\\033[1mfirst line\\033[0m\\n'; read x; echo second line $x; sleep 120";
    const s = await terminal(h, script);
    const typist = await client();
    await typist.request({ type: "attach", session: s.id, afterSeq: 0, snapshot: false });
    await typist.waitForOutput(s.id, "first line");
    // A new session's screen is built a moment after its first output.
    await waitFor(async () => (await worker()) === 1, { message: "the screen worker to start" });
    await waitFor(async () => (await worker()) === 0, {
      timeoutMs: 30_000,
      message: "the screen worker to stop while the screen is idle",
    });

    await typist.request({ type: "input", session: s.id, data: "again\r" });
    await typist.waitForOutput(s.id, "second line again");
    await waitFor(async () => (await worker()) === 1, { message: "the screen worker to start again" });

    // A client asking for the screen now gets it whole: loaded from the snapshot taken before
    // the stop, plus what was printed after.
    const fresh = await client();
    await fresh.request({ type: "attach", session: s.id, afterSeq: 0, snapshot: true });
    await waitFor(() => fresh.stream(s.id)[0]?.kind === "snapshot", { message: "a snapshot first" });
    const full = await client();
    await full.request({ type: "attach", session: s.id, afterSeq: 0, snapshot: false });
    await full.waitForOutput(s.id, "second line again");
    const a = await renderScreen(fresh, s.id, 80, 24);
    expect(a).toContain("first line");
    expect(a).toContain("second line again");
    expect(a).toBe(await renderScreen(full, s.id, 80, 24));
  }, 60_000);
});
