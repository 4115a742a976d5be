/**
 * Where an agent's worktree lives, on real processes: a hub, a remote host `gpu` dialing in,
 * a git repository in a temp directory. A worktree is made by the CLI on its own machine, so
 * one asked for an agent on a remote host (`new --worktree --host`, a declared agent on another
 * host) is refused before anything is made; `up` stopping an agent no longer declared says
 * what it keeps, as `down` does; `revive` of an agent whose worktree `agent finish` removed
 * says the directory is gone and what to do.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLiveStatus } from "../src/core/liveness.js";
import { BIN, cleanEnv, cleanupAll, type HubHandle, REPO_ROOT, startHub, waitFor } from "./harness.js";

let hub: HubHandle;
let root: string;
let repo: string;
let remote: ChildProcess | undefined;
let env: Record<string, string>;

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

async function sessionNames(): Promise<string[]> {
  const response = await hub.api("/api/sessions");
  return ((await response.json()) as { sessions: { name: string }[] }).sessions.map((s) => s.name);
}

async function status(name: string): Promise<string> {
  const response = await hub.api(`/api/sessions/${name}`);
  return ((await response.json()) as { session: { status: string } }).session.status;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "dispatch-wt-hosts-"));
  repo = join(root, "repo");
  mkdirSync(repo);
  git(repo, "init", "-q", "-b", "main");
  git(repo, "-c", "user.email=a@b", "-c", "user.name=A", "commit", "-q", "--allow-empty", "-m", "initial");
  const config = join(root, "config");
  mkdirSync(join(config, "dispatch"), { recursive: true });
  writeFileSync(
    join(config, "dispatch", "config.toml"),
    `[agents.w]\ncommand = "sh"\nargs = ["-c", "echo agent; exec sleep 600"]\n`,
  );
  env = { XDG_CONFIG_HOME: config };
  hub = await startHub({ env });
  const token = await hub.cli(["hosts", "token", "create", "gpu"]);
  expect(token.code, token.stderr).toBe(0);
  const remoteHome = join(root, "gpu-home");
  mkdirSync(remoteHome);
  remote = spawn(
    process.execPath,
    [BIN, "host", "--hub", hub.url, "--token", token.stdout.trim(), "--name", "gpu"],
    {
      env: cleanEnv({ DISPATCH_HOME: remoteHome, HOME: remoteHome }),
      cwd: REPO_ROOT,
      stdio: "ignore",
    },
  );
  await waitFor(
    async () => {
      const { hosts } = (await (await hub.api("/api/hosts")).json()) as {
        hosts: { name: string; status: string }[];
      };
      return hosts.find((h) => h.name === "gpu")?.status === "connected";
    },
    { timeoutMs: 30_000, message: "host gpu connected" },
  );
  // A hub, a CLI and a second host started on a loaded machine.
}, 120_000);

afterAll(async () => {
  if (remote && remote.exitCode === null && remote.signalCode === null) remote.kill("SIGKILL");
  await cleanupAll();
  rmSync(root, { recursive: true, force: true });
});

describe("an agent's worktree and its host", () => {
  it("refuses --worktree for an agent on a remote host, before making anything", async () => {
    const refused = await hub.cli(
      ["new", "--agent", "w", "--no-sandbox", "--worktree", "--host", "gpu", "--name", "far", "--cwd", repo],
      { env },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      "--worktree makes the worktree on this machine; host 'gpu' is remote: create it there and pass --cwd",
    );
    expect(existsSync(join(repo, ".dispatch", "worktrees", "far"))).toBe(false);
    expect(git(repo, "branch", "--list", "dispatch/far")).toBe("");
    expect(await sessionNames()).not.toContain("far");
  });

  it("refuses a declared agent's worktree on a remote host; `up` says what an agent no longer declared keeps and makes its worktree again on its kept branch", async () => {
    const file = join(repo, "dispatch.toml");
    const agent = (name: string, host: string) =>
      `[[session]]\nname = "${name}"\nkind = "agent"\nhost = "${host}"\n` +
      `options = { profile = "w", sandbox = false, worktree = true }\n`;
    writeFileSync(file, `project = "wt"\n${agent("near", "local")}${agent("far", "gpu")}`);
    const first = await hub.cli(["up", "--file", file], { env });
    expect(first.code).toBe(1);
    expect(first.stderr).toContain(
      "worktree = true makes the worktree on this machine; host 'gpu' is remote: create it there and declare its directory as the session's cwd; 'far' was not started",
    );
    expect(existsSync(join(repo, ".dispatch", "worktrees", "far"))).toBe(false);
    const near = join(repo, ".dispatch", "worktrees", "near");
    expect(existsSync(near)).toBe(true);

    // No longer declared: stopped, and its worktree and branch kept, said as `down` says it.
    writeFileSync(file, `project = "wt"\n`);
    const second = await hub.cli(["up", "--file", file], { env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(
      `near: kept its worktree ${near} and branch dispatch/near (once merged: git`,
    );
    expect(existsSync(near)).toBe(true);
    expect(await sessionNames()).not.toContain("near");

    // Its worktree removed, its branch kept: declared again, it comes up on that branch.
    git(repo, "worktree", "remove", near);
    writeFileSync(file, `project = "wt"\n${agent("near", "local")}`);
    const third = await hub.cli(["up", "--file", file], { env });
    expect(third.code, third.stderr).toBe(0);
    expect(git(near, "rev-parse", "--abbrev-ref", "HEAD").trim()).toBe("dispatch/near");
  }, 120_000);

  // Four CLI processes in a row: on a loaded machine each may take seconds.
  it("revive of an agent whose worktree was finished says the directory is gone and what to do", async () => {
    const created = await hub.cli(
      ["new", "--agent", "w", "--no-sandbox", "--worktree", "--name", "done1", "--cwd", repo],
      {
        env,
      },
    );
    expect(created.code, created.stderr).toBe(0);
    const killed = await hub.api("/api/sessions/done1", { method: "DELETE" });
    expect(killed.status).toBe(200);
    await waitFor(async () => !isLiveStatus(await status("done1")), {
      timeoutMs: 30_000,
      message: "done1 ended",
    });
    const worktree = join(repo, ".dispatch", "worktrees", "done1");
    const finished = await hub.cli(["agent", "finish", "done1", "--keep-branch"], { env });
    expect(finished.code, finished.stderr).toBe(0);
    expect(existsSync(worktree)).toBe(false);

    const revived = await hub.cli(["revive", "done1"], { env });
    expect(revived.code).toBe(1);
    expect(revived.stderr).toContain(
      `agent 'done1' cannot be revived: its worktree ${worktree} is gone (\`dispatch agent finish\` removes it); its branch dispatch/done1 is kept: make the worktree again with \`git -C ${repo} worktree add ${worktree} dispatch/done1\`, then \`dispatch revive done1\` starts it again`,
    );
    expect(isLiveStatus(await status("done1"))).toBe(false);

    // What it says to do works.
    git(repo, "worktree", "add", worktree, "dispatch/done1");
    const again = await hub.api("/api/sessions/done1/revive", { method: "POST", body: "{}" });
    expect(again.status, await again.clone().text()).toBe(200);
    await waitFor(async () => (await status("done1")) === "running", {
      timeoutMs: 30_000,
      message: "done1 running again",
    });
  }, 120_000);
});
