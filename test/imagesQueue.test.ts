/**
 * Two people on one image, one real python3 kernel through a real hub and host: an evaluation
 * sent while another client's cell runs waits its turn on the host, and says so at once, behind
 * which cell and since when. Ctrl-C on the waiting one withdraws it (it never runs) and leaves the running cell alone; the transcript shows a
 * waiting cell's input only once it starts, after the output of the cell before it; and two
 * people evaluating the same code at a terminal each see only their own evaluation's output.
 * Between two people, it says whose cells wait and run, as the hub authenticated them.
 * When the kernel is killed under a running cell, the one waiting says it never ran, and both
 * say how to get a kernel back.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, runningCli, startHub, waitFor } from "./harness.js";
import { closeTtys, dispatchInPty } from "./tty.js";

let hub: HubHandle;
const children = new Set<ChildProcess>();
/** Files that let a waiting cell finish; all written after each test, so no cell is left waiting. */
const releases = new Set<string>();

interface Event {
  seq: number;
  type: string;
  data: Record<string, unknown> & { output?: Record<string, unknown> };
}

async function info(): Promise<{ id: string; options: Record<string, unknown> }> {
  return ((await (await hub.api("/api/sessions/py")).json()) as { session: never }).session;
}

async function events(): Promise<Event[]> {
  const response = await hub.api("/api/sessions/py/events?after=0&limit=5000");
  return ((await response.json()) as { events: Event[] }).events;
}

/** How many evaluations wait behind the running one, as the host's `stats` says. */
async function queued(): Promise<number> {
  const response = await hub.api("/api/sessions/py/commands/stats", { method: "POST", body: "{}" });
  return ((await response.json()) as { result: { queued: number } }).result.queued;
}

async function printed(text: string): Promise<boolean> {
  return (await events()).some((e) => e.type === "eval-output" && String(e.data.output?.text).includes(text));
}

/** A person added as a writer, and their token. */
async function writer(name: string): Promise<{ user: { id: string }; token: string }> {
  const added = await hub.api("/api/users", {
    method: "POST",
    body: JSON.stringify({ name, role: "writer" }),
  });
  return (await added.json()) as { user: { id: string }; token: string };
}

/** A cell that prints `first`, waits until the test writes its release file, then prints `second`. */
function heldCell(first: string, second: string): { code: string; release: () => void } {
  const file = join(hub.home, `release-${first}`);
  releases.add(file);
  return {
    code: `import os, time\nprint("${first}", flush=True)\nwhile not os.path.exists("${file}"): time.sleep(0.05)\nprint("${second}")`,
    release: () => writeFileSync(file, ""),
  };
}

/**
 * A held cell running (`TAG-started` printed), and `code` evaluated behind it by a CLI that has
 * said it waits.
 */
async function behindHeldCell(tag: string, code: string) {
  const held = heldCell(`${tag}-started`, `${tag}-finished`);
  const first = hub.cli(["eval", "py", held.code]);
  await waitFor(() => printed(`${tag}-started`), { timeoutMs: 20_000, message: "the first cell runs" });
  const waiting = runningCli(hub, ["eval", "py", code], children);
  await waitFor(async () => waiting.err().includes("[dispatch: waiting behind"), {
    message: "the evaluation behind it says it waits",
  });
  return { held, first, waiting };
}

beforeAll(async () => {
  hub = await startHub();
  const created = await hub.cli(["new", "--kernel", "python3", "--name", "py"]);
  expect(created.code, created.stderr).toBe(0);
  await waitFor(async () => (await info()).options.connection === "connected", {
    timeoutMs: 30_000,
    message: "the kernel connected",
  });
});

afterEach(() => {
  for (const file of releases) if (!existsSync(file)) writeFileSync(file, "");
  for (const child of children) child.kill("SIGKILL");
  closeTtys();
});

afterAll(async () => {
  await cleanupAll();
});

describe("an evaluation waiting behind another client's cell", { timeout: 90_000 }, () => {
  it("is withdrawn by Ctrl-C and never runs, while the other client's cell runs on", async () => {
    const { held, first, waiting } = await behindHeldCell("a", "print('b-' + 'ran')");
    expect(await queued()).toBe(1);
    waiting.child.kill("SIGINT");
    expect(await waiting.exit, waiting.err()).toBe(130);
    // It says what Ctrl-C does here: no cell is interrupted.
    expect(waiting.err()).toContain(
      "[dispatch: taking this evaluation out of the queue; the cell that runs goes on]",
    );
    expect(waiting.err()).not.toContain("interrupting the cell");
    expect(waiting.err()).toContain("cancelled the evaluation before it started");
    expect(waiting.out()).toBe("");
    expect(await queued()).toBe(0);
    // Every viewer reads in the log that it waits no more.
    await waitFor(async () => (await events()).some((e) => e.type === "eval-withdrawn"), {
      message: "the withdrawal in the log",
    });
    const withdrawn = (await events()).filter((e) => e.type === "eval-withdrawn");
    expect(withdrawn.map((e) => e.data.error)).toEqual([
      { ename: "Cancelled", evalue: expect.stringContaining("withdrawn before it started") },
    ]);

    // The first cell was not interrupted: it finishes when let go, with all its output.
    held.release();
    const result = await first;
    expect(result.stderr).toBe("");
    expect(result).toMatchObject({ code: 0, stdout: "a-started\na-finished\n" });

    // The withdrawn code never ran, not even late: the next evaluation runs first in line.
    expect((await hub.cli(["eval", "py", "'next'"])).stdout).toBe("'next'\n");
    expect(await printed("b-ran")).toBe(false);
    expect((await events()).some((e) => e.type === "eval-start" && String(e.data.code).includes("b-"))).toBe(
      false,
    );
  });

  it("says at once that it waits, behind which cell and since when, then runs and prints its own output", async () => {
    const { held, first, waiting } = await behindHeldCell("w", "print('w-' + 'second')");
    // The running cell's first line, and the time of day it started at.
    expect(waiting.err()).toMatch(
      /^\[dispatch: waiting behind the cell running since \d\d:\d\d:\d\d: `import os, time …`; Ctrl-C takes this one out of the queue\]\n$/,
    );
    expect(await queued()).toBe(1);

    held.release();
    expect(await waiting.exit, waiting.err()).toBe(0);
    expect(waiting.out()).toBe("w-second\n");
    expect(waiting.err()).toContain("[dispatch: its turn came; running]\n");
    expect((await first).stdout).toBe("w-started\nw-finished\n");
  });

  it("shows its input in the transcript only once it starts, after the running cell's output", async () => {
    const held = heldCell("c-started", "c-finished");
    const first = hub.cli(["eval", "py", held.code]);
    await waitFor(() => printed("c-started"), { timeoutMs: 20_000, message: "the first cell runs" });
    const second = hub.cli(["eval", "py", "print('d-' + 'output')"]);
    await waitFor(async () => (await queued()) === 1, { message: "the second evaluation waits" });
    held.release();
    expect((await first).stdout).toBe("c-started\nc-finished\n");
    expect((await second).stdout).toBe("d-output\n");

    const transcript = (await hub.cli(["transcript", "py"])).stdout;
    const at = (text: string) => transcript.indexOf(text);
    expect(at("c-finished\n")).toBeGreaterThan(at("c-started\n"));
    expect(at("In: print('d-' + 'output')")).toBeGreaterThan(at("c-finished\n"));
    expect(at("d-output\n")).toBeGreaterThan(at("In: print('d-' + 'output')"));
  });

  it("streams to each of two terminals evaluating the same code only its own evaluation's output", async () => {
    // Both wait behind a held cell, so each has attached before either one's `eval-start`: each
    // stream sees both evaluations start, with the same code.
    const held = heldCell("e-started", "e-finished");
    const first = hub.cli(["eval", "py", held.code]);
    await waitFor(() => printed("e-started"), { timeoutMs: 20_000, message: "the first cell runs" });
    const code = 'import uuid; print("own-" + uuid.uuid4().hex)';
    const terminals = [1, 2].map(() =>
      dispatchInPty(["eval", "py", `'${code}'`], { env: hub.env, cols: 100, rows: 10 }),
    );
    await waitFor(async () => (await queued()) === 2, {
      timeoutMs: 20_000,
      message: "both evaluations wait behind the held cell",
    });
    held.release();
    expect((await first).code).toBe(0);

    const printedBy = await Promise.all(
      terminals.map(async (tty) => {
        expect(await tty.rc, tty.output()).toBe(0);
        expect(tty.output()).not.toContain("another evaluation of the same code");
        return tty.output().match(/own-[0-9a-f]{32}/g) ?? [];
      }),
    );
    // Each printed one line, its own: the other's never showed on its screen.
    expect(printedBy.map((lines) => lines.length)).toEqual([1, 1]);
    expect(printedBy[0]?.[0]).not.toBe(printedBy[1]?.[0]);

    // Each start names its client's evaluation: the `ref` the CLI sent, one per evaluation.
    const starts = (await events()).filter((e) => e.type === "eval-start" && e.data.code === code);
    expect(starts).toHaveLength(2);
    expect(new Set(starts.map((e) => e.data.ref)).size).toBe(2);
    for (const start of starts) expect(start.data.ref).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("says whose cells they are when two people's cells wait and run, as the hub knows them", async () => {
    const { user, token } = await writer("ada");
    // The owner's long cell runs; ada's eval, signed in by her own token, waits behind it.
    const held = heldCell("p-started", "p-finished");
    const first = hub.cli(["eval", "py", held.code]);
    await waitFor(() => printed("p-started"), { timeoutMs: 20_000, message: "the owner's cell runs" });
    const asAda = { ...hub, env: { ...hub.env, DISPATCH_KEY: token } } as HubHandle;
    const waiting = runningCli(asAda, ["eval", "py", "print('p-' + 'ada')"], children);
    await waitFor(async () => waiting.err().includes("[dispatch: "), { message: "ada's eval says it waits" });
    expect(waiting.err()).toMatch(
      /^\[dispatch: ada's cell waits behind owner's cell running since \d\d:\d\d:\d\d: `import os, time …`; Ctrl-C takes this one out of the queue\]\n$/,
    );

    held.release();
    expect(await waiting.exit, waiting.err()).toBe(0);
    expect(waiting.out()).toBe("p-ada\n");
    expect((await first).code).toBe(0);
    // Every viewer reads it in the log: who sent the waiting cell, and who the ones that ran.
    const log = await events();
    const ada = { id: user.id, name: "ada" };
    const owner = { id: "owner", name: "owner" };
    const queuedEvent = log.find((e) => e.type === "eval-queued" && e.data.code === "print('p-' + 'ada')");
    expect(queuedEvent?.data).toMatchObject({ by: ada, running: { by: owner } });
    const starts = log.filter((e) => e.type === "eval-start" && String(e.data.code).includes("p-"));
    expect(starts.map((e) => e.data.by)).toEqual([owner, ada]);
  });

  it("says whose a cell typed into the image is (input as text), as the hub knows its sender", async () => {
    const { user, token } = await writer("bea");
    const held = heldCell("q-started", "q-finished");
    const first = hub.cli(["eval", "py", held.code]);
    await waitFor(() => printed("q-started"), { timeoutMs: 20_000, message: "the owner's cell runs" });
    // Bea types a line into the image, as an attached terminal sends it.
    const typed = "print('q-' + 'bea')";
    const sent = await fetch(`${hub.url}/api/sessions/py/input`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ data: `${typed}\r` }),
    });
    expect(sent.status).toBe(200);
    const queuedOf = async () =>
      (await events()).find((e) => e.type === "eval-queued" && e.data.code === typed);
    await waitFor(async () => (await queuedOf()) !== undefined, { message: "bea's typed cell waits" });
    const bea = { id: user.id, name: "bea" };
    const owner = { id: "owner", name: "owner" };
    // What every viewer's card words: "bea's cell waits behind owner's cell running since …".
    expect((await queuedOf())?.data).toMatchObject({ by: bea, running: { by: owner } });

    held.release();
    expect((await first).code).toBe(0);
    await waitFor(() => printed("q-bea"), { message: "bea's cell runs" });
    const start = (await events()).find((e) => e.type === "eval-start" && e.data.code === typed);
    expect(start?.data.by).toEqual(bea);

    // Keys over a client's WebSocket, as `dispatch attach` sends them: the same.
    const socket = await hub.socket();
    const { id } = await info();
    await socket.request({ type: "input", session: id, data: "print('q-' + 'attached')\r" });
    await waitFor(() => printed("q-attached"), { message: "the attached terminal's cell runs" });
    const attached = (await events()).find(
      (e) => e.type === "eval-start" && e.data.code === "print('q-' + 'attached')",
    );
    expect(attached?.data.by).toEqual(owner);
  });

  it("tells two share links' people apart when one's cell waits behind the other's", async () => {
    const links = await Promise.all(
      [1, 2].map(async () => {
        const made = await hub.api("/api/sessions/py/share", {
          method: "POST",
          body: JSON.stringify({ write: true }),
        });
        return (await made.json()) as { share: { id: string }; token: string };
      }),
    );
    const as = (token: string) => ({ ...hub, env: { ...hub.env, DISPATCH_KEY: token } }) as HubHandle;
    const held = heldCell("s-started", "s-finished");
    const first = runningCli(as(links[0]?.token ?? ""), ["eval", "py", held.code], children);
    await waitFor(() => printed("s-started"), { timeoutMs: 20_000, message: "the first link's cell runs" });
    const waiting = runningCli(as(links[1]?.token ?? ""), ["eval", "py", "print('s-' + 'second')"], children);
    await waitFor(async () => waiting.err().includes("[dispatch: "), {
      message: "the second link's eval waits",
    });
    // Each link is a principal of its own, named by its id (`dispatch share ls` lists them).
    const [one, two] = links.map((link) => `link ${link.share.id.slice(0, 8)}`);
    expect(waiting.err()).toContain(`[dispatch: ${two}'s cell waits behind ${one}'s cell running since `);
    held.release();
    expect(await waiting.exit, waiting.err()).toBe(0);
    expect(await first.exit).toBe(0);
  });

  it("is withdrawn when its `dispatch eval` gets SIGTERM, which exits 143 and leaves the running cell alone", async () => {
    const { held, first, waiting } = await behindHeldCell("t", "print('t-' + 'ran')");
    expect(await queued()).toBe(1);
    // What `timeout 5 dispatch eval ...` sends once the time is up.
    waiting.child.kill("SIGTERM");
    expect(await waiting.exit, waiting.err()).toBe(143);
    expect(waiting.err()).toContain(
      "[dispatch: SIGTERM: took this evaluation out of the queue; it did not run]",
    );
    expect(await queued()).toBe(0);
    await waitFor(async () => (await events()).some((e) => e.type === "eval-withdrawn"), {
      message: "the withdrawal in the log",
    });

    held.release();
    expect(await first).toMatchObject({ code: 0, stdout: "t-started\nt-finished\n" });
    expect((await hub.cli(["eval", "py", "'after-t'"])).stdout).toBe("'after-t'\n");
    expect(await printed("t-ran")).toBe(false);
  });

  it("interrupts its running cell when its `dispatch eval` gets SIGHUP (the terminal closed), which exits 129", async () => {
    const held = heldCell("h-started", "h-finished");
    const running = runningCli(hub, ["eval", "py", held.code], children);
    await waitFor(() => printed("h-started"), { timeoutMs: 20_000, message: "the cell runs" });
    running.child.kill("SIGHUP");
    expect(await running.exit, running.err()).toBe(129);
    // The kernel stopped it: it ends in a KeyboardInterrupt, and never got to its last line.
    const start = (await events()).find((e) => e.type === "eval-start" && e.data.code === held.code);
    const endOf = async () =>
      (await events()).find((e) => e.type === "eval-end" && e.data.id === start?.data.id);
    await waitFor(async () => (await endOf()) !== undefined, {
      message: "the interrupted cell's end in the log",
    });
    expect((await endOf())?.data).toMatchObject({ status: "error", error: { ename: "KeyboardInterrupt" } });
    // The kernel is free: the next cell runs at once, though the held cell was never let go.
    expect((await hub.cli(["eval", "py", "'after-h'"])).stdout).toBe("'after-h'\n");
    expect(await printed("h-finished")).toBe(false);
  });

  // Last: it ends the file's kernel.
  it("says a waiting evaluation never ran when the kernel dies under the running one, and what to do", async () => {
    // Cells the tests before left to finish (released after each) are done first: a leftover
    // in the queue is not the one this test sends.
    await waitFor(async () => (await queued()) === 0 && (await info()).options.execution === "idle", {
      timeoutMs: 20_000,
      message: "the kernel idle, nothing queued",
    });
    const held = heldCell("k-started", "k-finished");
    const running = runningCli(hub, ["eval", "py", held.code], children);
    await waitFor(() => printed("k-started"), { timeoutMs: 20_000, message: "the first cell runs" });
    const waiting = runningCli(hub, ["eval", "py", "print('m-' + 'ran')"], children);
    await waitFor(async () => waiting.err().includes("[dispatch: waiting behind"), {
      message: "the second evaluation says it waits",
    });
    expect(await queued()).toBe(1);

    const stats = await hub.api("/api/sessions/py/commands/stats", { method: "POST", body: "{}" });
    process.kill(((await stats.json()) as { result: { pid: number } }).result.pid, "SIGKILL");

    const revive = "`dispatch revive py` starts a fresh kernel";
    expect(await running.exit, running.err()).toBe(1);
    expect(running.err()).toContain(`evaluation aborted: kernel killed by SIGKILL; ${revive}`);
    expect(await waiting.exit, waiting.err()).toBe(1);
    expect(waiting.err()).toContain(
      `evaluation aborted: never ran (it waited its turn): kernel killed by SIGKILL; ${revive}`,
    );
    expect(await printed("m-ran")).toBe(false);
    // The log says so for every viewer of the image (the web's card goes on each page): what
    // waited, and that it never ran.
    const log = await events();
    const joined = log.find((e) => e.type === "eval-queued" && e.data.code === "print('m-' + 'ran')");
    expect(joined?.data).toMatchObject({ mode: "print", origin: "client", ahead: 1 });
    const withdrawn = log.filter((e) => e.type === "eval-withdrawn" && e.data.ref === joined?.data.ref);
    expect(withdrawn.map((e) => e.data.error)).toEqual([
      { ename: "KernelLost", evalue: expect.stringContaining("never ran") },
    ]);
  });
});
