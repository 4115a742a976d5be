/**
 * Git worktrees for agent sessions: each agent gets its own checkout of the repository on a
 * new branch (under `<repo>/.dispatch/worktrees/<name>`, kept out of `git status` through
 * `.git/info/exclude`), so several agents can work on one repository side by side.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { DispatchError } from "../core/errors.js";
import type { AgentWorktree } from "../kinds/agent/index.js";
import { type HostView, HUB_HOST_ID } from "../protocol/hosts.js";
import { UsageError } from "./exitCodes.js";

/**
 * Where a session's host runs, for a worktree: this CLI makes it with this machine's git in
 * this machine's repository, so an agent on another machine would start in a directory that
 * is not there (or in another repository). Undefined when the host is this machine: the hub's
 * own host, unless it says it runs on another machine (a hub reached from elsewhere).
 */
function elsewhere(host: Pick<HostView, "id" | "name" | "hostname">): string | undefined {
  // Any other host may run on another machine, or here under another user or in a sandbox.
  if (host.id !== HUB_HOST_ID) return `host '${host.name}' is remote`;
  if (host.hostname !== null && host.hostname !== hostname())
    return `host '${host.name}' runs on ${host.hostname}, not on this machine (${hostname()})`;
  return undefined;
}

/**
 * Refuses, before anything is made, a worktree for an agent whose host is not this machine.
 * `asked` is how the person asked for it (`--worktree`), `instead` what to do instead.
 */
export function requireWorktreeHere(
  host: Pick<HostView, "id" | "name" | "hostname">,
  words: { asked: string; instead: string },
): void {
  const where = elsewhere(host);
  if (where === undefined) return;
  throw new UsageError(`${words.asked} makes the worktree on this machine; ${where}: ${words.instead}`);
}

function git(cwd: string, args: string[]): string {
  const result = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (result.error) throw new DispatchError("bad_request", `cannot run git: ${result.error.message}`);
  if (result.status !== 0) {
    throw new DispatchError(
      "bad_request",
      `git ${args.join(" ")}: ${(result.stderr || result.stdout).trim()}`,
    );
  }
  return result.stdout;
}

export function createWorktree(options: { cwd: string; name: string; branch?: string }): AgentWorktree {
  const repo = repoOf(options.cwd);
  const base = git(repo, ["rev-parse", "HEAD"]).trim();
  const branch = options.branch ?? `dispatch/${options.name}`;
  const path = join(repo, ".dispatch", "worktrees", options.name);
  if (existsSync(path))
    throw new DispatchError("conflict", `${path} already exists; pick another session name`);
  mkdirSync(join(repo, ".dispatch", "worktrees"), { recursive: true });
  excludeDispatchDir(repo);
  git(repo, ["worktree", "add", "-b", branch, path, base]);
  return { repo, path, branch, base };
}

/**
 * The worktree a declared agent (`dispatch up`) works in: the one its name already has, kept
 * from an earlier `up` (a restart or a `down` leaves it), else one made again on its kept
 * branch, else a new one. Its branch must be the declared one; its base, unknown once the
 * session that made it is gone, is where its branch left the repository's HEAD.
 */
export function ensureWorktree(options: { cwd: string; name: string; branch?: string }): AgentWorktree {
  const repo = repoOf(options.cwd);
  const path = join(repo, ".dispatch", "worktrees", options.name);
  const branch = options.branch ?? `dispatch/${options.name}`;
  if (!existsSync(path)) {
    if (!branchExists({ repo, branch })) return createWorktree(options);
    // Its worktree removed and its branch kept (`agent finish --keep-branch`): the agent goes
    // on with its branch's commits in a worktree made again.
    mkdirSync(join(repo, ".dispatch", "worktrees"), { recursive: true });
    git(repo, ["worktree", "prune"]);
    git(repo, ["worktree", "add", path, branch]);
    return { repo, path, branch, base: git(repo, ["merge-base", branch, "HEAD"]).trim() };
  }
  const current = git(path, ["rev-parse", "--abbrev-ref", "HEAD"]).trim();
  if (current !== branch)
    throw new DispatchError(
      "conflict",
      `the worktree ${path} is on branch ${current}, not ${branch}; declare branch = "${current}", or remove it first (git worktree remove ${path})`,
    );
  const base = git(repo, ["merge-base", branch, "HEAD"]).trim();
  return { repo, path, branch, base };
}

function repoOf(cwd: string): string {
  try {
    return git(cwd, ["rev-parse", "--show-toplevel"]).trim();
  } catch {
    throw new DispatchError("bad_request", `a worktree needs a git repository, and ${cwd} is not in one`);
  }
}

/** The agent's changes against the commit it started from, untracked files included. */
export function worktreeDiff(worktree: AgentWorktree, extraArgs: readonly string[] = []): string {
  requireWorktree(worktree);
  let out = git(worktree.path, ["diff", ...extraArgs, worktree.base]);
  const untracked = git(worktree.path, ["ls-files", "--others", "--exclude-standard", "-z"])
    .split("\0")
    .filter((f) => f.length > 0);
  for (const file of untracked) {
    // `--no-index` exits 1 when the files differ, which is the point here.
    const result = spawnSync("git", ["diff", "--no-index", ...extraArgs, "--", "/dev/null", file], {
      cwd: worktree.path,
      encoding: "utf8",
    });
    out += result.stdout;
  }
  return out;
}

export interface FinishResult {
  removed: string;
  branch: string;
  branchKept: boolean;
}

/**
 * What `finishWorktree` would refuse for without `force`, each saying what is in the way and
 * what to do about it; empty when finishing is safe. Asked before anything is removed, so a
 * refusal leaves the worktree (and a session that may be revived in it) as it was.
 */
export function finishRefusals(worktree: AgentWorktree, options: { keepBranch: boolean }): string[] {
  const refusals: string[] = [];
  if (existsSync(worktree.path)) {
    const changed = git(worktree.path, ["status", "--porcelain"])
      .split("\n")
      .filter((line) => line.length > 3)
      .map((line) => line.slice(3));
    if (changed.length > 0) {
      // Named, so the person sees what --force would throw away; a long list is cut short.
      const shown = changed.slice(0, 10).join(", ");
      const more = changed.length > 10 ? ` and ${changed.length - 10} more` : "";
      refusals.push(`the worktree ${worktree.path} has uncommitted changes (${shown}${more}): commit them`);
    }
  }
  if (!options.keepBranch && branchExists(worktree)) {
    const unmerged = git(worktree.repo, ["rev-list", "--count", worktree.branch, "--not", "HEAD"]).trim();
    if (unmerged !== "0") {
      const into = git(worktree.repo, ["rev-parse", "--abbrev-ref", "HEAD"]).trim();
      refusals.push(
        `branch ${worktree.branch} has ${unmerged} commit(s) not merged into ${into} (merge it, or keep the branch with --keep-branch)`,
      );
    }
  }
  return refusals;
}

/**
 * Removes the worktree and (unless kept) its branch. Without `force` it first checks
 * `finishRefusals` and refuses, removing nothing; `force` discards uncommitted changes and
 * unmerged commits.
 */
export function finishWorktree(
  worktree: AgentWorktree,
  options: { force: boolean; keepBranch: boolean },
): FinishResult {
  if (!options.force) {
    const refusals = finishRefusals(worktree, options);
    if (refusals.length > 0)
      throw new DispatchError(
        "conflict",
        `nothing was removed: ${refusals.join("; ")}; or pass --force to discard all of it`,
      );
  }
  if (existsSync(worktree.path)) {
    git(worktree.repo, ["worktree", "remove", ...(options.force ? ["--force"] : []), worktree.path]);
  } else {
    git(worktree.repo, ["worktree", "prune"]);
  }
  if (!options.keepBranch && branchExists(worktree)) {
    git(worktree.repo, ["branch", "-D", worktree.branch]);
    return { removed: worktree.path, branch: worktree.branch, branchKept: false };
  }
  return { removed: worktree.path, branch: worktree.branch, branchKept: true };
}

export function branchExists(worktree: Pick<AgentWorktree, "repo" | "branch">): boolean {
  return (
    spawnSync("git", ["rev-parse", "--verify", "--quiet", `refs/heads/${worktree.branch}`], {
      cwd: worktree.repo,
    }).status === 0
  );
}

function requireWorktree(worktree: AgentWorktree): void {
  if (!existsSync(worktree.path))
    throw new DispatchError("not_found", `the worktree ${worktree.path} no longer exists (finished?)`);
}

/** Keeps `.dispatch/` out of the main checkout's `git status`. */
function excludeDispatchDir(repo: string): void {
  const gitDir = execFileSync("git", ["rev-parse", "--git-common-dir"], {
    cwd: repo,
    encoding: "utf8",
  }).trim();
  const exclude = join(repo, gitDir.startsWith("/") ? "" : "", gitDir, "info", "exclude");
  const file = gitDir.startsWith("/") ? join(gitDir, "info", "exclude") : exclude;
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    // No exclude file yet: created below.
    mkdirSync(join(file, ".."), { recursive: true });
  }
  if (!text.split("\n").includes("/.dispatch/"))
    appendFileSync(file, `${text.endsWith("\n") || text === "" ? "" : "\n"}/.dispatch/\n`);
}
