/**
 * The sandbox contained sessions run in (agents by default, any session on request): the
 * session's command under bubblewrap (`bwrap`), seeing the whole filesystem as its user does
 * except the data directory (the access key, the database, the host socket), which is an empty
 * tmpfs in there, and in its own pid namespace, so it cannot reach the hub or the host through
 * their processes (`/proc/PID/root`, signals, ptrace). The network stays: the session's own
 * token still reaches the hub over `DISPATCH_URL`, and nothing else it holds does.
 *
 * `/dev` is bwrap's own minimal one (null, zero, tty, a devpts, the session's terminal as
 * `/dev/console`): the `--bind / /` alone mounts the host's `/dev` `nodev`, so `/dev/null`
 * refuses to open and every `git`, `cmd >/dev/null` and `ssh` in an agent's session fails.
 * A minimal `/dev`, not the host's (`--dev-bind`), keeps raw disks out of reach.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { DispatchError } from "../../core/errors.js";

export interface SandboxPolicy {
  /** Directories hidden from sandboxed sessions (the host's data directory). */
  hide: readonly string[];
  /** The bwrap to use; absent: `bwrap` on the host's PATH. */
  bwrap?: string;
}

/** bwraps that have created a sandbox on this machine already (checked once each). */
const working = new Set<string>();

/** argv that runs `argv` in the sandbox, in `cwd`; throws when no sandbox can be made here. */
export function sandboxedArgv(argv: readonly string[], cwd: string, policy: SandboxPolicy): string[] {
  const bwrap = findBwrap(policy.bwrap);
  const base = ["--die-with-parent", "--unshare-pid", "--bind", "/", "/", "--dev", "/dev", "--proc", "/proc"];
  const hide = policy.hide.flatMap((dir) => ["--tmpfs", dir]);
  checkWorks(bwrap, [...base, ...hide]);
  return [bwrap, ...base, ...hide, "--chdir", cwd, "--", ...argv];
}

function findBwrap(configured: string | undefined): string {
  const candidates = configured
    ? [configured]
    : (process.env.PATH ?? "/usr/bin:/bin").split(delimiter).map((dir) => join(dir, "bwrap"));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; try the next PATH entry.
    }
  }
  throw new DispatchError(
    "bad_request",
    `this session asks for a sandbox, but bubblewrap is not installed on this host (no '${configured ?? "bwrap"}'); ` +
      "install it (Debian: apt install bubblewrap) or create the session without a sandbox (--no-sandbox)",
  );
}

/** A trial run, so a machine without user namespaces fails the session with bwrap's reason. */
function checkWorks(bwrap: string, args: string[]): void {
  if (working.has(bwrap)) return;
  const trial = spawnSync(bwrap, [...args, "--", "true"], { encoding: "utf8", timeout: 10_000 });
  if (trial.status === 0) {
    working.add(bwrap);
    return;
  }
  const reason = (trial.stderr || trial.error?.message || `exit code ${trial.status}`).trim();
  throw new DispatchError(
    "bad_request",
    `this session asks for a sandbox, but bubblewrap cannot create one on this host (${reason}); ` +
      "allow unprivileged user namespaces (kernel.unprivileged_userns_clone=1) or create the session without a sandbox (--no-sandbox)",
  );
}
