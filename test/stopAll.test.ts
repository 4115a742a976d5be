/**
 * `dispatch stop --all` ends the host's sessions on purpose, and the next `dispatch start`
 * says so: not `exited (host lost)`, nor a chat's or an image's `exited (0)` (every kind reads
 * `exited (host stopped)`), and an image closed this way shows `stopped`, not `critical`. The
 * hub is stopped first (as it is by `dispatch stop` earlier, or by `--all` itself), so the host
 * is the only one to see how its sessions ended: output printed while no hub ran is kept too.
 * Real hub, host, PTYs and ipykernel.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import type { SessionInfo } from "../src/protocol/session.js";
import { cleanupAll, type HubHandle, startHub, storedOutput, waitFor } from "./harness.js";

/** Two hub starts, a kernel's start and its shutdown: each a few seconds on a loaded machine. */
const STOP_START_TEST_MS = 150_000;

afterAll(cleanupAll);

async function create(h: HubHandle, request: Record<string, unknown>): Promise<void> {
  const response = await h.api("/api/sessions", { method: "POST", body: JSON.stringify(request) });
  expect(response.ok, await response.text()).toBe(true);
}

async function session(h: HubHandle, name: string): Promise<SessionInfo> {
  const response = await h.api(`/api/sessions/${name}`);
  return ((await response.json()) as { session: SessionInfo }).session;
}

it(
  "records each session's end as stopped with its host, with what it printed while the hub was away",
  async () => {
    const h = await startHub();
    // Prints once the hub is away (when the test creates `go`), then says it did (`printed`).
    const script =
      "while [ ! -e go ]; do sleep 0.05; done; echo printed-while-away; touch printed; exec sleep 600";
    await create(h, { name: "late", cwd: h.home, command: ["sh", "-c", script] });
    await create(h, { name: "lab", cwd: h.home, kind: "workspace", options: { kernel: "python3" } });
    // A chat, which no provider hears of until it is sent a message.
    await create(h, {
      name: "talk",
      cwd: h.home,
      kind: "chat",
      options: { provider: "openai", profile: "t", model: "m1", baseUrl: "http://127.0.0.1:1/v1" },
    });
    // Its kernel's pid is known once the kernel has started (and shutting it down means something).
    await waitFor(async () => typeof (await session(h, "lab")).options.pid === "number", {
      timeoutMs: 60_000,
      message: "the kernel started",
    });

    // The hub only: the sessions keep running on the host.
    expect((await h.cli(["stop"])).code).toBe(0);
    writeFileSync(join(h.home, "go"), "");
    await waitFor(() => existsSync(join(h.home, "printed")), {
      timeoutMs: 30_000,
      message: "the session to print while the hub is away",
    });

    const stopped = await h.cli(["stop", "--all"], { timeoutMs: 30_000 });
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(h.pids().host).toBeUndefined();
    const started = await h.cli(["start", "--port", "0"]);
    expect(started.code, started.stderr).toBe(0);

    // The new host reports them in its hello; their ends are stored just after.
    await waitFor(async () => (await session(h, "late")).status === "exited", {
      timeoutMs: 30_000,
      message: "the terminal's end stored",
    });
    await waitFor(async () => (await session(h, "lab")).status === "exited", {
      timeoutMs: 30_000,
      message: "the image's end stored",
    });
    await waitFor(async () => (await session(h, "talk")).status === "exited", {
      timeoutMs: 30_000,
      message: "the chat's end stored",
    });
    // Every kind reads the same: not a chat's or a kernel's `exited (0)`.
    for (const name of ["late", "lab", "talk"])
      expect(await session(h, name)).toMatchObject({ exitCode: null, reason: "host stopped" });
    const ls = (await h.cli(["ls"])).stdout;
    expect(ls).toMatch(/^late\s+terminal\s+exited \(host stopped\)/m);
    expect(ls).toMatch(/^lab\s+workspace\s+exited \(host stopped\)/m);
    expect(ls).toMatch(/^talk\s+chat\s+exited \(host stopped\)/m);
    expect(await storedOutput(h, "late")).toContain("printed-while-away");

    const images = await h.cli(["images", "--json"]);
    const row = (JSON.parse(images.stdout) as { session: string; status: string; health: string }[]).find(
      (candidate) => candidate.session === "lab",
    );
    expect(row).toMatchObject({ status: "exited (host stopped)", health: "stopped" });
  },
  STOP_START_TEST_MS,
);
