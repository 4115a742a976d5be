/**
 * `dispatch kill --signal`: a signal meant to end the program (HUP, the default; TERM; KILL)
 * waits for the end and says how the session ended; one a program may take and run on (INT,
 * QUIT) returns once the host delivered it, saying the session still runs, rather than waiting
 * for an end that a shell or a REPL never makes. A real hub, real bash sessions in PTYs, every
 * call through the real CLI. USR1 and the like (a reload) are sent too; a mistyped name is refused
 * with the likely one.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, storedOutput, waitFor } from "./harness.js";

let hub: HubHandle;

beforeAll(async () => {
  hub = await startHub();
});

afterAll(async () => {
  await cleanupAll();
});

/**
 * A bash session that, on `signal`, prints `got-SIGNAL`, runs on for `seconds` and then exits 7;
 * returned once the trap is set.
 */
async function trapping(name: string, signal: string, seconds: number): Promise<void> {
  const script = `trap 'echo got-${signal}; sleep ${seconds}; exit 7' ${signal}; echo trap-set; while :; do sleep 0.1; done`;
  const created = await hub.api("/api/sessions", {
    method: "POST",
    body: JSON.stringify({ name, command: ["bash", "-c", script] }),
  });
  expect(created.status, await created.clone().text()).toBe(201);
  await waitFor(async () => (await storedOutput(hub, name)).includes("trap-set"), {
    message: `${name} set its trap`,
  });
}

async function session(name: string): Promise<{ status: string; exitCode?: number | null }> {
  const response = await hub.api(`/api/sessions/${name}`);
  return ((await response.json()) as { session: { status: string; exitCode?: number | null } }).session;
}

it("--signal INT returns once delivered: a shell that ends 2 s after it is still running then", async () => {
  await trapping("int-2s", "INT", 2);
  const killed = await hub.cli(["kill", "int-2s", "--signal", "INT"]);
  expect(killed.code, killed.stderr).toBe(0);
  // The hub waited for no end: the answer came before the trap's exit (START waited 3 s for it).
  expect(killed.stdout).toMatch(/^int-2s: sent SIGINT; still running/);
  // It was delivered: the trap ran, and the session ends as the trap says.
  await waitFor(async () => (await storedOutput(hub, "int-2s")).includes("got-INT"), {
    message: "the trap ran",
  });
  await waitFor(async () => (await session("int-2s")).status === "exited", { message: "int-2s exited" });
  expect((await session("int-2s")).exitCode).toBe(7);
});

it("--signal QUIT returns once delivered: neither the hub nor the command waits for an end", async () => {
  await trapping("quit-10s", "QUIT", 10);
  const killed = await hub.cli(["kill", "quit-10s", "--signal", "QUIT"]);
  expect(killed.code, killed.stderr).toBe(0);
  // START's command waited up to 10 s more for the end after the hub's 3 s, and saw it.
  expect(killed.stdout).toMatch(/^quit-10s: sent SIGQUIT; still running/);
  expect((await session("quit-10s")).status).toBe("running");
  await waitFor(async () => (await storedOutput(hub, "quit-10s")).includes("got-QUIT"), {
    message: "the trap ran",
  });
});

it("--signal TERM still waits for the end and says how the session ended", async () => {
  await trapping("term-1s", "TERM", 1);
  const killed = await hub.cli(["kill", "term-1s", "--signal", "TERM"]);
  expect(killed.code, killed.stderr).toBe(0);
  expect(killed.stdout).toBe("term-1s: exited (7)\n");
});

it("--signal USR1 reaches a program that reloads on it, and the session runs on", async () => {
  const script = `trap 'echo reloaded-USR1' USR1; echo trap-set; while :; do sleep 0.1; done`;
  const created = await hub.api("/api/sessions", {
    method: "POST",
    body: JSON.stringify({ name: "usr1", command: ["bash", "-c", script] }),
  });
  expect(created.status, await created.clone().text()).toBe(201);
  await waitFor(async () => (await storedOutput(hub, "usr1")).includes("trap-set"), {
    message: "usr1 set its trap",
  });
  // START refused it before sending: "unknown signal 'USR1': use one of SIGHUP, ..." (exit 2).
  const killed = await hub.cli(["kill", "usr1", "--signal", "USR1"]);
  expect(killed.code, killed.stderr).toBe(0);
  expect(killed.stdout).toMatch(/^usr1: sent SIGUSR1; still running/);
  await waitFor(async () => (await storedOutput(hub, "usr1")).includes("reloaded-USR1"), {
    message: "the trap ran",
  });
  expect((await session("usr1")).status).toBe("running");
});

it("a mistyped --signal is refused with the likely one, and nothing is sent", async () => {
  await trapping("usr3", "USR1", 0);
  const killed = await hub.cli(["kill", "usr3", "--signal", "USR3"]);
  expect(killed.code).not.toBe(0);
  expect(killed.stderr).toContain("unknown signal 'USR3' — did you mean USR1?");
  expect((await session("usr3")).status).toBe("running");
  expect(await storedOutput(hub, "usr3")).not.toContain("got-USR1");
});
