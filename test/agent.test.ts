/**
 * Agent sessions on real processes: a node script stands in for the agent (prints, asks,
 * waits for input, and reports its state with `dispatch notify` the way a hook would), in a
 * git worktree of a real repository in a temp directory.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLiveStatus } from "../src/core/liveness.js";
import type { SessionInfo } from "../src/protocol/session.js";
import { BIN, cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";

let hub: HubHandle;
let root: string;
let repo: string;
let report: string;

const AGENT_SCRIPT = `
const { execFileSync } = require("node:child_process");
const { writeFileSync } = require("node:fs");
const notify = (state, message) =>
  execFileSync(process.execPath, [${JSON.stringify(BIN)}, "notify", "--state", state, "--message", message], { stdio: "inherit" });
writeFileSync(process.env.REPORT, JSON.stringify(Object.keys(process.env).filter((k) => k.startsWith("DISPATCH_"))));
console.log("fake agent: reading the code");
notify("waiting", "approve the plan?");
process.stdout.write("Proceed? [y/N] ");
process.stdin.on("data", (data) => {
  if (!data.toString().includes("y")) return;
  notify("working", "writing");
  writeFileSync("agent-output.txt", "hello from the agent\\n");
  console.log("\\nwrote agent-output.txt");
  notify("done", "finished");
  process.exit(0);
});
`;

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8" });
}

async function session(name: string): Promise<SessionInfo> {
  // The REST API, not `dispatch ls`: polled in waitFor, a CLI process each time is slow on a loaded machine.
  const response = await hub.api(`/api/sessions/${name}`);
  if (!response.ok) throw new Error(`no session ${name}: HTTP ${response.status}`);
  return ((await response.json()) as { session: SessionInfo }).session;
}

/** Kills through the REST API and waits until the session has ended. */
async function kill(name: string): Promise<void> {
  const response = await hub.api(`/api/sessions/${name}`, { method: "DELETE" });
  expect(response.status).toBe(200);
  await waitFor(async () => (isLiveStatus((await session(name)).status) ? undefined : true));
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "dispatch-agent-"));
  repo = join(root, "repo");
  mkdirSync(repo);
  git(repo, "init", "-q", "-b", "main");
  git(repo, "config", "user.email", "test@example.com");
  git(repo, "config", "user.name", "Test");
  writeFileSync(join(repo, "README.md"), "# demo\n");
  git(repo, "add", ".");
  git(repo, "commit", "-q", "-m", "initial");
  const script = join(root, "fake-agent.cjs");
  writeFileSync(script, AGENT_SCRIPT);
  report = join(root, "env.json");
  const config = join(root, "config", "dispatch");
  mkdirSync(config, { recursive: true });
  writeFileSync(
    join(config, "config.toml"),
    [
      "[agents.fake]",
      `command = ${JSON.stringify(process.execPath)}`,
      `args = [${JSON.stringify(script)}]`,
      `env = { REPORT = ${JSON.stringify(report)} }`,
      "",
      "[agents.quiet]",
      'command = "sh"',
      `args = ["-c", "echo thinking; printf 'Continue? '; sleep 600"]`,
    ].join("\n"),
  );
  hub = await startHub({
    env: { XDG_CONFIG_HOME: join(root, "config"), DISPATCH_KEY: "agent-test-key-12345" },
  });
});

afterAll(async () => {
  await cleanupAll();
  rmSync(root, { recursive: true, force: true });
});

describe("agent sessions", () => {
  it("runs an agent in its own worktree, takes its hook's state, diffs and finishes it", async () => {
    const created = await hub.cli(["new", "--agent", "fake", "--worktree", "--name", "ag1", "--cwd", repo]);
    expect(created.stderr).toBe("");
    expect(created.stdout.trim()).toBe("ag1");
    const worktree = join(repo, ".dispatch", "worktrees", "ag1");
    expect(existsSync(join(worktree, "README.md"))).toBe(true);
    expect(git(worktree, "rev-parse", "--abbrev-ref", "HEAD").trim()).toBe("dispatch/ag1");
    // The main checkout does not see the worktrees directory.
    expect(git(repo, "status", "--porcelain")).toBe("");

    const waiting = await waitFor(async () => {
      const s = await session("ag1");
      return s.agent?.state === "waiting" ? s : undefined;
    });
    expect(waiting.agent).toMatchObject({ state: "waiting", source: "hook", message: "approve the plan?" });
    expect(waiting.cwd).toBe(worktree);
    const ls = await hub.cli(["ls"]);
    expect(ls.stdout).toMatch(/ag1\s+agent\s+running, waiting \(needs you\)/);

    // The session got its own token and address, never the hub's access key.
    const names = JSON.parse(readFileSync(report, "utf8")) as string[];
    expect(names).toContain("DISPATCH_SESSION_TOKEN");
    expect(names).toContain("DISPATCH_SESSION");
    expect(names).not.toContain("DISPATCH_KEY");
    expect(names).not.toContain("DISPATCH_HOME");

    const sent = await hub.api("/api/sessions/ag1/input", {
      method: "POST",
      body: JSON.stringify({ data: "y\r" }),
    });
    expect(sent.status).toBe(200);
    // The agent runs two `dispatch notify` CLIs before it exits: seconds each on a loaded machine.
    const done = await waitFor(
      async () => {
        const s = await session("ag1");
        return s.status === "exited" ? s : undefined;
      },
      { timeoutMs: 45_000, message: "the agent exited after its notifications" },
    );
    expect(done.agent).toMatchObject({ state: "done", source: "hook", message: "finished" });

    const events = (await (await hub.api("/api/sessions/ag1/events?after=0")).json()) as {
      events: { type: string; data: { state?: string; source?: string } }[];
    };
    const states = events.events
      .filter((e) => e.type === "state")
      .map((e) => `${e.data.state}:${e.data.source}`);
    // Output before the first hook report is guessed as work; after it, only the hook speaks.
    expect(states).toEqual(["working:guess", "waiting:hook", "working:hook", "done:hook"]);

    // Read side by side (each is a Node boot): the refused finish changes nothing.
    const [diff, refused] = await Promise.all([
      hub.cli(["agent", "diff", "ag1"]),
      hub.cli(["agent", "finish", "ag1"]),
    ]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain("agent-output.txt");
    expect(diff.stdout).toContain("+hello from the agent");

    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("uncommitted changes");
    expect(refused.stderr).toContain("agent-output.txt");
    expect(existsSync(worktree)).toBe(true);

    const forced = await hub.cli(["agent", "finish", "ag1", "--force"]);
    expect(forced.stderr).toBe("");
    expect(forced.code).toBe(0);
    expect(existsSync(worktree)).toBe(false);
    expect(git(repo, "branch", "--list", "dispatch/ag1").trim()).toBe("");
  });

  it("refuses to finish for every reason at once, removing nothing; the agent revives in its worktree", async () => {
    const created = await hub.cli([
      "new",
      "--agent",
      "quiet",
      "--worktree",
      "--branch",
      "feature-x",
      "--name",
      "ag2",
      "--cwd",
      repo,
    ]);
    expect(created.code, created.stderr).toBe(0);
    const worktree = join(repo, ".dispatch", "worktrees", "ag2");
    writeFileSync(join(worktree, "feature.txt"), "x\n");
    git(worktree, "add", ".");
    git(worktree, "-c", "user.email=a@b", "-c", "user.name=A", "commit", "-q", "-m", "feature");
    writeFileSync(join(worktree, "scratch.txt"), "not yet\n");

    const all = await hub.cli(["agent", "finish", "ag2"]);
    expect(all.code).toBe(1);
    expect(all.stderr).toContain("nothing was removed");
    expect(all.stderr).toContain("still running (stop it first: dispatch kill ag2)");
    expect(all.stderr).toContain("uncommitted changes (scratch.txt)");
    expect(all.stderr).toContain("branch feature-x has 1 commit(s) not merged into main");
    expect(all.stderr).toContain("--force");
    expect((await session("ag2")).status).toBe("running");

    await kill("ag2");
    rmSync(join(worktree, "scratch.txt"));
    const unmerged = await hub.cli(["agent", "finish", "ag2"]);
    expect(unmerged.code).toBe(1);
    expect(unmerged.stderr).toContain("not merged");
    expect(unmerged.stderr).not.toContain("still running");
    expect(existsSync(join(worktree, "feature.txt"))).toBe(true);
    expect(git(repo, "branch", "--list", "feature-x")).toContain("feature-x");

    // Refused, the agent can be taken up again where it was.
    const revived = await hub.cli(["revive", "ag2"]);
    expect(revived.code, revived.stderr).toBe(0);
    const running = await waitFor(async () => {
      const s = await session("ag2");
      return s.status === "running" ? s : undefined;
    });
    expect(running.cwd).toBe(worktree);
    await kill("ag2");
    const kept = await hub.cli(["agent", "finish", "ag2", "--keep-branch"]);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stdout).toContain("branch feature-x kept");
    expect(existsSync(worktree)).toBe(false);
    expect(git(repo, "branch", "--list", "feature-x")).toContain("feature-x");
  });

  it("guesses the state of an agent without hooks, and says it is a guess", async () => {
    const created = await hub.cli(["new", "--agent", "quiet", "--name", "ag3", "--cwd", root]);
    expect(created.code, created.stderr).toBe(0);
    const waiting = await waitFor(async () => {
      const s = await session("ag3");
      return s.agent?.state === "waiting" ? s : undefined;
    });
    expect(waiting.agent).toMatchObject({ source: "guess", message: "Continue?" });
    expect((await hub.cli(["ls"])).stdout).toMatch(/ag3\s+agent\s+running, waiting\? \(needs you\)/);
    await kill("ag3");
  });

  it("refuses notify without a session token good for that session", async () => {
    // The session, and two refusals that need none: side by side (each is a Node boot).
    const [created, outside, badState] = await Promise.all([
      hub.cli(["new", "--agent", "quiet", "--name", "ag4", "--cwd", root]),
      hub.cli(["notify", "--state", "waiting"]),
      hub.cli(["notify", "--state", "sleeping"], {
        env: { DISPATCH_SESSION: "x", DISPATCH_SESSION_TOKEN: "y" },
      }),
    ]);
    expect(created.code, created.stderr).toBe(0);
    const bogus = await fetch(`${hub.url}/api/sessions/ag4/notify`, {
      method: "POST",
      headers: { authorization: "Bearer not-a-token", "content-type": "application/json" },
      body: JSON.stringify({ state: "done" }),
    });
    expect(bogus.status).toBe(401);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain("not inside a dispatch agent session");
    expect(badState.code).toBe(2);
    await kill("ag4");
  });
});
