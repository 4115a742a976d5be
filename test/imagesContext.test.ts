/**
 * Images like hosts: the current image (`dispatch use IMAGE`) for eval, inspect and transcript;
 * image stats (memory, CPU, state); and orphaned kernels (their host daemon was SIGKILLed, or a
 * kernel runs on a connection file no session holds) found and removed by the host at start
 * and by `dispatch images cleanup`. Real kernels (ipykernel, xeus-python), a real hub and host.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newConnection } from "../src/host/runtimes/jupyter/connection.js";
import { isAlive } from "../src/platform/processAlive.js";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";

let hub: HubHandle;
let stray: ChildProcess | undefined;

interface ImageRow {
  session: string | null;
  kernel: string;
  status: string;
  execution: string;
  pid: number | null;
  memory: number | null;
  sessions: string[];
}

const info = async (name: string) =>
  ((await (await hub.api(`/api/sessions/${name}`)).json()) as { session: Record<string, unknown> })
    .session as { status: string; reason: string | null; options: Record<string, unknown> };

/**
 * A workspace, connected; its kernel's pid. Through `dispatch new` for the first one, through
 * the API for the others (the CLI's create is not under test here; each call is a Node boot).
 */
async function newWorkspace(name: string, kernel: string, via: "cli" | "api" = "api"): Promise<number> {
  if (via === "cli") {
    const created = await hub.cli(["new", "--kernel", kernel, "--name", name]);
    expect(created.code, created.stderr).toBe(0);
  } else {
    const created = await hub.api("/api/sessions", {
      method: "POST",
      body: JSON.stringify({ name, kind: "workspace", options: { kernel } }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
  }
  await waitFor(async () => (await info(name)).options.connection === "connected", {
    timeoutMs: 30_000,
    message: `${name} connected`,
  });
  return (await info(name)).options.pid as number;
}

async function images(): Promise<ImageRow[]> {
  const listed = await hub.cli(["images", "--json"]);
  expect(listed.code, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout) as ImageRow[];
}

const kernelDir = () => join(hub.home, "run", "local", "kernels");
const kernelFiles = () => (existsSync(kernelDir()) ? readdirSync(kernelDir()) : []);

beforeAll(async () => {
  hub = await startHub();
});

afterAll(async () => {
  if (stray?.pid !== undefined && stray.exitCode === null) stray.kill("SIGKILL");
  await cleanupAll();
});

describe("images like hosts", { timeout: 150_000 }, () => {
  it("uses the current image for eval, inspect, transcript and stats; shows it; refuses an unknown one", async () => {
    await newWorkspace("py", "python3", "cli");
    const none = await hub.cli(["eval", "--mode", "print"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("dispatch use IMAGE");

    const used = await hub.cli(["use", "py"]);
    expect(used.code, used.stderr).toBe(0);
    expect(used.stdout).toContain("now using image py");
    const shown = await hub.cli(["use"]);
    expect(shown.stdout.split("\n")).toEqual(["local", "image py", ""]);

    const evaluated = await hub.cli(["eval", "n = 20; n * 2 + 2"]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(evaluated.stdout.trim()).toBe("42");
    const piped = await hub.cli(["eval"], { input: "print('from stdin')" });
    expect(piped.stdout.trim()).toBe("from stdin");
    const failed = await hub.cli(["eval", "1/0"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("ZeroDivisionError");
    const inspected = await hub.cli(["inspect", "n"]);
    expect(inspected.stdout).toContain("n: int = 20");
    const transcript = await hub.cli(["transcript"]);
    expect(transcript.stdout).toContain("In: n = 20; n * 2 + 2");
    expect(transcript.stdout).toContain("Out[1]: 42");

    // A name still wins over the context.
    await newWorkspace("other", "python3");
    const named = await hub.cli(["eval", "other", "'named'"]);
    expect(named.stdout.trim()).toBe("'named'");

    const stats = await hub.cli(["images", "stats", "--json"]);
    expect(stats.code, stats.stderr).toBe(0);
    const image = JSON.parse(stats.stdout) as Record<string, unknown>;
    expect(image.session).toBe("py");
    expect(image.status).toBe("connected");
    expect(image.execution).toBe("idle");
    expect(image.pid).toBe((await info("py")).options.pid);
    expect(image.memory as number).toBeGreaterThan(1024 * 1024);
    expect(image.cpuSeconds as number).toBeGreaterThan(0);
    expect(image.evaluations).toBe(3);

    // Two refused switches, side by side (each is a Node boot).
    const [typo, typoImage] = await Promise.all([
      hub.cli(["use", "pyy"]),
      hub.cli(["use", "--image", "othr"]),
    ]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("no host or image 'pyy' — did you mean 'py'?");
    expect(typoImage.code).toBe(1);
    expect(typoImage.stderr).toContain("did you mean 'other'?");
    // The context is unchanged by a refused switch.
    expect((await hub.cli(["use"])).stdout).toContain("image py");

    // A host name still switches the host, not the image.
    expect((await hub.cli(["use", "local"])).stdout).toContain("now using host local");

    const cleared = await hub.cli(["use", "--image", "-"]);
    expect(cleared.stdout).toContain("no current image");
    expect((await hub.cli(["use"])).stdout).not.toContain("image");

    // A current image that was removed is said to be gone, with the way out.
    await hub.cli(["use", "other"]);
    await hub.cli(["kill", "other"]);
    await waitFor(async () => (await info("other")).status === "exited", { timeoutMs: 20_000 });
    await hub.cli(["gc"]);
    const gone = await hub.cli(["eval", "1"]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("the current image is gone");
  });

  it("lists a kernel no session holds as orphaned and `images cleanup` stops it, sparing live ones", async () => {
    // The live kernel is the first test's, still running: one started for this alone would only
    // add its start.
    const live = (await info("py")).options.pid as number;
    expect(isAlive(live)).toBe(true);
    // A kernel on a connection file in the host's kernel directory that no session holds.
    const connection = await newConnection("xpython");
    mkdirSync(kernelDir(), { recursive: true });
    const file = join(kernelDir(), "kernel-gone-1.json");
    writeFileSync(file, JSON.stringify(connection), { mode: 0o600 });
    stray = spawn("/usr/bin/xpython", ["-f", file], { stdio: "ignore" });
    const pid = stray.pid as number;
    const exited = new Promise((resolve) => stray?.once("exit", resolve));

    // Polled on the host's own report (`images` boots Node at each call), then listed.
    await waitFor(
      async () => {
        const response = await hub.api("/api/hosts/local/orphans");
        const report = (await response.json()) as { orphans: { pid: number | null }[] };
        return report.orphans.some((orphan) => orphan.pid === pid);
      },
      { timeoutMs: 20_000, message: "the host finds the orphan" },
    );
    const listed = (await images()).find((row) => row.status === "orphaned" && row.pid === pid);
    if (!listed) throw new Error(`the orphan (pid ${pid}) is not listed by \`dispatch images\``);
    expect(listed.kernel).toBe("xpython");
    expect(listed.session).toBeNull();
    const table = await hub.cli(["images"]);
    expect(table.stdout).toMatch(new RegExp(`xpython .* orphaned .* ${pid}`));
    expect(table.stderr).toContain("dispatch images cleanup");

    const cleaned = await hub.cli(["images", "cleanup"]);
    expect(cleaned.code, cleaned.stderr).toBe(0);
    expect(cleaned.stdout).toContain(`local: removed kernel xpython (pid ${pid})`);
    await exited;
    expect(existsSync(file)).toBe(false);
    expect((await images()).some((row) => row.status === "orphaned")).toBe(false);

    // The live kernel was spared: same process, still evaluating.
    expect(isAlive(live)).toBe(true);
    const evaluated = await hub.cli(["eval", "py", "6*7"]);
    expect(evaluated.stdout.trim()).toBe("42");
    const again = await hub.cli(["images", "cleanup", "--host", "local"]);
    expect(again.stderr).toContain("no orphaned kernels on local");
  });

  // Last: the SIGKILLed host takes every image above with it.
  it("stops the kernels a SIGKILLed host left behind when the host starts again", async () => {
    const xeus = await newWorkspace("xp", "xpython");
    const ipy = (await info("py")).options.pid as number;
    expect(kernelFiles().length).toBeGreaterThanOrEqual(2);
    const host = Number(readFileSync(join(hub.home, "host.pid"), "utf8"));
    process.kill(host, "SIGKILL");

    // The hub starts a new host; it stops the xeus kernel (which outlives its parent) and
    // removes every connection file (ipykernel exits by itself but leaves its file).
    await waitFor(() => !isAlive(xeus) && !isAlive(ipy), {
      timeoutMs: 30_000,
      message: "orphaned kernels stopped",
    });
    await waitFor(() => kernelFiles().length === 0, {
      timeoutMs: 10_000,
      message: "connection files removed",
    });
    // The host logs what it stopped once its sweep is done, which may be after the kernel is
    // already gone (a zombie counts as gone).
    const stopped = `kernel xpython (pid ${xeus})`;
    const log = await waitFor(
      () => {
        const text = readFileSync(join(hub.home, "host.log"), "utf8");
        return text.includes(stopped) ? text : undefined;
      },
      { timeoutMs: 10_000, message: "the host logs the kernel it stopped" },
    );
    expect(log).toContain(stopped);
    await waitFor(async () => (await info("xp")).status === "exited", { timeoutMs: 20_000 });
  });
});
