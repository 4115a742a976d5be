/**
 * The sandbox (bubblewrap from Debian, real namespaces): a contained session cannot read the
 * data directory (the access key, the database, the host socket) and sees no other process,
 * yet its own session token still reaches the hub (`dispatch notify`). An uncontained terminal
 * can do everything its user can, the access key included, as under tmux.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionInfo } from "../src/protocol/session.js";
import { BIN, cleanupAll, type HubHandle, startHub, storedOutput, waitFor } from "./harness.js";

let hub: HubHandle;
let root: string;
let home: string;

/** What a session prints about the data directory, then it waits. */
function probe(keyFile: string): string {
  return [
    // No redirection to /dev/null here: where that fails, a readable key would read as hidden.
    `if test -s ${keyFile}; then echo "KEY-READ:$(cat ${keyFile})"; else echo KEY-HIDDEN; fi`,
    `if [ -e ${join(home, "host.sock")} ]; then echo SOCKET-SEEN; else echo SOCKET-HIDDEN; fi`,
    // What every git and shell script needs: a /dev/null that opens, and a terminal of its own.
    "if echo x >/dev/null; then echo DEVNULL-OPENS; else echo DEVNULL-REFUSED; fi",
    'case "$(tty)" in /dev/*) echo TTY-NAMED;; *) echo TTY-UNNAMED;; esac',
    "echo PROBED",
  ].join("; ");
}

/**
 * The session as the hub reports it. Read through the API, as are the polls below: each CLI
 * call is a Node boot, seconds on a loaded machine, and `ls` and `logs` are not under test here.
 */
async function session(name: string): Promise<SessionInfo> {
  const response = await hub.api(`/api/sessions/${name}`);
  if (!response.ok) throw new Error(`no session ${name}: HTTP ${response.status}`);
  return ((await response.json()) as { session: SessionInfo }).session;
}

/** How many probes the session's stored output holds, and that output. */
async function probes(name: string): Promise<{ count: number; out: string }> {
  const out = await storedOutput(hub, name);
  return { count: out.split(/PROBED\r?\n/).length - 1, out };
}

/** The session's output once its probe has printed. */
async function probed(name: string): Promise<string> {
  const { out } = await waitFor(
    async () => {
      const found = await probes(name);
      return found.count > 0 ? found : undefined;
    },
    { message: `session ${name} never finished its probe` },
  );
  return out;
}

async function kill(name: string): Promise<void> {
  const response = await hub.api(`/api/sessions/${name}`, { method: "DELETE" });
  expect(response.status, await response.clone().text()).toBeLessThan(300);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "dispatch-sandbox-"));
  home = join(root, "home");
  mkdirSync(home);
  const keyFile = join(home, "access.key");
  const config = join(root, "config", "dispatch");
  mkdirSync(config, { recursive: true });
  const notify = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} notify --state waiting --message from-inside`;
  writeFileSync(
    join(config, "config.toml"),
    [
      "[agents.peek]",
      'command = "sh"',
      `args = ["-c", ${JSON.stringify(`${probe(keyFile)}; ${notify}; sleep 60`)}]`,
    ].join("\n"),
  );
  // The key is in the data directory as a file, the way a real hub keeps it.
  hub = await startHub({ home, env: { XDG_CONFIG_HOME: join(root, "config") } });
  expect(hub.key.length).toBeGreaterThan(0);
});

afterAll(async () => {
  await cleanupAll();
  rmSync(root, { recursive: true, force: true });
});

describe("sandbox", () => {
  it("hides the data directory from an agent, whose own token still reaches the hub", async () => {
    const created = await hub.cli(["new", "--agent", "peek", "--name", "boxed-agent", "--cwd", root]);
    expect(created.code, created.stderr).toBe(0);
    const out = await probed("boxed-agent");
    expect(out).toContain("KEY-HIDDEN");
    expect(out).toContain("SOCKET-HIDDEN");
    expect(out).not.toContain(hub.key);
    expect(out).toContain("DEVNULL-OPENS");
    expect(out).toContain("TTY-NAMED");
    const reported = await waitFor(async () => {
      const s = await session("boxed-agent");
      return s.agent?.source === "hook" ? s : undefined;
    });
    expect(reported.agent).toMatchObject({ state: "waiting", message: "from-inside" });
    expect(reported.options).toMatchObject({ profile: "peek", sandbox: true });
    await kill("boxed-agent");
  });

  it("runs a terminal in a sandbox on request, where it sees no other process", async () => {
    const script = `${probe(join(home, "access.key"))}; ls /proc | grep -c '^[0-9]' | sed 's/^/PROCS:/'; sleep 60`;
    const created = await hub.cli([
      "new",
      "--sandbox",
      "--name",
      "boxed",
      "--cwd",
      root,
      "--",
      "sh",
      "-c",
      script,
    ]);
    expect(created.code, created.stderr).toBe(0);
    await probed("boxed");
    // The count prints after the probe's last line: wait for it too.
    const out = await waitFor(async () => {
      const { out } = await probes("boxed");
      return /PROCS:\d+/.test(out) ? out : undefined;
    });
    expect(out).toContain("KEY-HIDDEN");
    expect(out).toContain("SOCKET-HIDDEN");
    expect(out).toContain("DEVNULL-OPENS");
    // bwrap's init, sh, and ls (and grep): nothing of the hub's or the host's.
    const procs = Number(/PROCS:(\d+)/.exec(out)?.[1]);
    expect(procs).toBeGreaterThan(0);
    expect(procs).toBeLessThan(6);
    expect((await session("boxed")).options).toEqual({ sandbox: true });
    await kill("boxed");
    await waitFor(async () => (await session("boxed")).status !== "running");
    const before = (await probes("boxed")).count;
    // Revived, it runs in a sandbox again.
    const revived = await hub.cli(["revive", "boxed"]);
    expect(revived.code, revived.stderr).toBe(0);
    await waitFor(async () => (await probes("boxed")).count > before, { message: "the revived run probes" });
    const again = (await hub.cli(["logs", "boxed"])).stdout;
    // The first run's probe, the old screen shown above the marker, and the new run's probe.
    expect(again.split("PROBED").length - 1).toBeGreaterThanOrEqual(3);
    expect(again).not.toContain("KEY-READ");
    await kill("boxed");
  });

  it("lets an unsandboxed terminal, and an agent with --no-sandbox, do what their user can", async () => {
    const script = `${probe(join(home, "access.key"))}; sleep 60`;
    const created = await hub.cli(["new", "--name", "open", "--cwd", root, "--", "sh", "-c", script]);
    expect(created.code, created.stderr).toBe(0);
    const out = await probed("open");
    expect(out).toContain(`KEY-READ:${hub.key}`);
    expect(out).toContain("SOCKET-SEEN");
    const agent = await hub.cli([
      "new",
      "--agent",
      "peek",
      "--no-sandbox",
      "--name",
      "open-agent",
      "--cwd",
      root,
    ]);
    expect(agent.code, agent.stderr).toBe(0);
    expect(await probed("open-agent")).toContain(`KEY-READ:${hub.key}`);
    await kill("open");
    await kill("open-agent");
  });

  it("refuses bad sandbox options with a clear error", async () => {
    const response = await hub.api("/api/sessions", {
      method: "POST",
      body: JSON.stringify({ command: ["true"], options: { sandbox: "yes" } }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("invalid terminal options");
  });

  it("fails a session that asked for a sandbox when bubblewrap is missing, never running it bare", async () => {
    const bare = await startHub({ env: { DISPATCH_BWRAP: join(root, "no-such-bwrap") } });
    const marker = join(root, "ran-bare");
    const created = await bare.cli(["new", "--sandbox", "--name", "nobox", "--", "touch", marker]);
    expect(created.code).not.toBe(0);
    expect(created.stderr).toContain("bubblewrap is not installed");
    expect(created.stderr).toContain("--no-sandbox");
    const sessions = JSON.parse((await bare.cli(["ls", "--json"])).stdout) as SessionInfo[];
    expect(sessions.find((s) => s.name === "nobox")?.status).toBe("failed");
    expect(existsSync(marker)).toBe(false);
    await bare.stop();
  });
});
