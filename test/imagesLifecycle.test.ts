/**
 * A workspace's life as its user sees it through the CLI: a cell that kills its kernel says why
 * (and `images` shows it critical), `dispatch attach` to a revived image stays attached (its old
 * exits are history) and ends on its next exit, `dispatch kill` says what happened (and `images`
 * shows the image stopped, not critical), and the current image can be cleared with
 * `dispatch use -`, and is asked for when there is none. Real hub, host and ipykernel; attach
 * in a real PTY.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";
import { closeTtys, dispatchInPty, screenShows, type Tty } from "./tty.js";

let hub: HubHandle;

const status = async (name: string) =>
  ((await (await hub.api(`/api/sessions/${name}`)).json()) as { session: { status: string } }).session.status;

/**
 * A python3 workspace, through `dispatch new` for the first one and the API for the others
 * (the CLI's create is not what these tests are about; each call is a Node boot).
 */
async function newWorkspace(name: string, via: "cli" | "api" = "api"): Promise<void> {
  if (via === "cli") {
    const created = await hub.cli(["new", "--kernel", "python3", "--name", name]);
    expect(created.code, created.stderr).toBe(0);
    return;
  }
  const created = await hub.api("/api/sessions", {
    method: "POST",
    body: JSON.stringify({ name, kind: "workspace", options: { kernel: "python3" } }),
  });
  expect(created.status, await created.clone().text()).toBe(201);
}

/** The image's row in `dispatch images --json`. */
async function imageRow(name: string): Promise<{ status: string; health: string; pid: number | null }> {
  const listed = await hub.cli(["images", "--json"]);
  expect(listed.code, listed.stderr).toBe(0);
  const rows = JSON.parse(listed.stdout) as {
    session: string | null;
    status: string;
    health: string;
    pid: number | null;
  }[];
  const row = rows.find((candidate) => candidate.session === name);
  if (!row) throw new Error(`no image ${name} in ${listed.stdout}`);
  return row;
}

async function revive(name: string): Promise<void> {
  const revived = await hub.cli(["revive", name], { timeoutMs: 60_000 });
  expect(revived.code, revived.stderr).toBe(0);
}

/** Waits for the screen to pass `check`, failing at once if the attach has already ended. */
async function stillAttachedUntil(tty: Tty, text: string): Promise<void> {
  const ended = tty.rc.then((rc) => {
    throw new Error(`the attach ended (rc ${rc}) before showing ${text}:\n${tty.output()}`);
  });
  await Promise.race([screenShows(tty, (rows) => rows.some((row) => row.includes(text)), text), ended]);
}

beforeAll(async () => {
  hub = await startHub();
});

afterEach(() => {
  closeTtys();
});

afterAll(async () => {
  await cleanupAll();
});

describe("a workspace's life through the CLI", { timeout: 150_000 }, () => {
  it("says why a cell that kills its kernel was aborted, in text and JSON, and shows it critical", async () => {
    await newWorkspace("phoenix", "cli");
    const text = await hub.cli(["eval", "phoenix", "import os; os._exit(1)"]);
    expect(text.code).toBe(1);
    expect(text.stderr).toBe(
      "evaluation aborted: kernel exited with code 1; `dispatch revive phoenix` starts a fresh kernel (`--replay` re-runs the cells that succeeded)\n",
    );
    // Nobody closed it: its kernel crashed.
    expect(await imageRow("phoenix")).toMatchObject({ status: "exited (1)", health: "critical" });

    await revive("phoenix");
    const json = await hub.cli(["eval", "phoenix", "--json", "import os; os._exit(2)"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      status: "aborted",
      error: { ename: "KernelLost", evalue: "kernel exited with code 2" },
    });
  });

  // The image above, whose kernel has exited twice (codes 1 and 2) and been revived once: a
  // fresh image would cost three kernel starts to reach the same history.
  it("stays attached to a revived image, past the exits before its revives, and ends on its next exit", async () => {
    await revive("phoenix");
    const before = await hub.cli(["eval", "phoenix", "print('before-' + str(40 + 1))"]);
    expect(before.stdout).toBe("before-41\n");

    const tty = dispatchInPty(["attach", "phoenix"], { env: hub.env, cols: 100, rows: 30 });
    // Caught up: everything stored was replayed, the two old exits among it.
    await stillAttachedUntil(tty, "before-41");
    await hub.cli(["eval", "phoenix", "print('after-' + str(40 + 2))"]);
    await stillAttachedUntil(tty, "after-42");

    // Its next exit ends the attach, with that exit's code.
    expect((await hub.cli(["eval", "phoenix", "import os; os._exit(3)"])).code).toBe(1);
    expect(await tty.rc).toBe(0);
    // The end says what to do next, as every kind's does.
    expect(tty.output()).toContain(
      "[dispatch: phoenix exited with code 3; `dispatch revive phoenix` starts a fresh kernel (`--replay` re-runs the cells that succeeded)]",
    );
    expect(tty.output()).not.toMatch(/\[dispatch: phoenix exited with code [12]\]/);
  });

  it("kill says how the session ended, not how it was before, with no alarm in its health; an ended one is removed", async () => {
    await newWorkspace("victim");
    expect((await hub.cli(["eval", "victim", "1"])).stdout).toBe("1\n");
    const image = await hub.cli(["kill", "victim"], { timeoutMs: 30_000 });
    expect(image.code, image.stderr).toBe(0);
    expect(image.stdout).toBe("victim: exited (0)\n");
    expect(await status("victim")).toBe("exited");
    // No cell of an ended image can wait: `input` says it has ended and how to start it again.
    const answer = await hub.cli(["input", "victim", "late"]);
    expect(answer.code).not.toBe(0);
    const advice =
      "`dispatch revive victim` starts a fresh kernel (`--replay` re-runs the cells that succeeded)";
    expect(answer.stderr).toContain(
      `image 'victim' has exited (0), so no cell can wait for input; ${advice}`,
    );
    // The hub's refusal of a cell gives the same advice, in the same words.
    const late = await hub.cli(["eval", "victim", "2"]);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain(`'eval' was not run; ${advice}`);
    // Closed on purpose: `images` says so, in the table too (SESSION … STATUS HEALTH STATE).
    expect(await imageRow("victim")).toMatchObject({ status: "exited (0)", health: "stopped", pid: null });
    expect((await hub.cli(["images"])).stdout).toMatch(
      /^victim\s+python3\s+python\s+local\s+exited \(0\)\s+stopped\s+dead\s/m,
    );

    // Made through the API: `dispatch new` is not under test here, and each call is a Node boot.
    const created = await hub.api("/api/sessions", {
      method: "POST",
      body: JSON.stringify({ name: "sleeper", command: ["sleep", "600"] }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const terminal = await hub.cli(["kill", "sleeper"]);
    expect(terminal).toMatchObject({ code: 0, stdout: "sleeper: exited (killed by SIGHUP)\n" });
    const again = await hub.cli(["kill", "sleeper"]);
    expect(again).toMatchObject({
      code: 0,
      stdout: "sleeper: removed (it had ended: exited (killed by SIGHUP))\n",
    });
    expect((await hub.api("/api/sessions/sleeper")).status).toBe(404);
  });

  // Its image stays running for the last test.
  it("clears the current image with `use -`, keeping the host, and asks for an image when there is none", async () => {
    await newWorkspace("current");
    await waitFor(async () => (await status("current")) === "running", { timeoutMs: 30_000 });
    expect((await hub.cli(["use", "local"])).stdout).toBe("now using host local\n");
    expect((await hub.cli(["use", "current"])).stdout).toBe("now using image current\n");
    expect((await hub.cli(["use"])).stdout).toBe("local\nimage current\n");

    const cleared = await hub.cli(["use", "-"]);
    expect(cleared).toMatchObject({ code: 0, stdout: "no current image\n" });
    expect((await hub.cli(["use"])).stdout).toBe("local\n");

    const code = await hub.cli(["eval", "1+1"]);
    expect(code.code).toBe(2);
    expect(code.stderr).toContain(
      "eval: there is no current image, and no workspace is called '1+1'; choose one with `dispatch use IMAGE`, or name it: `dispatch eval IMAGE CODE`",
    );
    // A workspace's name alone still works (its code on stdin).
    expect((await hub.cli(["eval", "current"], { input: "6 * 7" })).stdout).toBe("42\n");
  });

  // Last: it SIGKILLs the host, which ends every image above too. On the running image the test
  // above left (a kernel start of its own would only repeat that one).
  it("lists an image whose host was lost as `ls` does, without the pid it had", async () => {
    // Its kernel's pid is known (and stored) once it has connected.
    const options = async () =>
      ((await (await hub.api("/api/sessions/current")).json()) as { session: { options: { pid?: number } } })
        .session.options;
    await waitFor(async () => typeof (await options()).pid === "number", { timeoutMs: 30_000 });
    const host = hub.pids().host as number;
    process.kill(host, "SIGKILL");
    await waitFor(async () => (await status("current")) === "exited", {
      timeoutMs: 20_000,
      message: "the session ended with its host",
    });
    const ls = await hub.cli(["ls"]);
    expect(ls.stdout).toMatch(/^current\s+workspace\s+exited \(host lost\)/m);

    expect(await imageRow("current")).toMatchObject({
      status: "exited (host lost)",
      health: "critical",
      pid: null,
    });
    const table = await hub.cli(["images"]);
    // SESSION KERNEL LANGUAGE HOST STATUS HEALTH STATE PID: no pid.
    expect(table.stdout).toMatch(
      /^current\s+python3\s+python\s+local\s+exited \(host lost\)\s+\S+\s+\S+\s+-\s/m,
    );
  });
});
