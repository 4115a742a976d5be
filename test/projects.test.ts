/**
 * Projects on real processes: a sample repository (a temp dir) whose dispatch.toml declares
 * four sessions on two hosts (the hub's own and a remote `dispatch host` dialing in), brought
 * up, brought up again (nothing to do), edited (only the changed session restarts), brought
 * down; `after`/`ready` ordering with a slow starter; and every way a project file or its
 * sessions can go wrong, each with a clear error while the rest of the project comes up.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, cleanEnv, cleanupAll, type HubHandle, REPO_ROOT, startHub, waitFor } from "./harness.js";

/** Long-running stand-ins for servers: print a line, then wait. */
const LONG = "exec sleep 600";

interface Session {
  id: string;
  name: string;
  host: string;
  status: string;
  project?: string | null;
  reason: string | null;
}

let hub: HubHandle;
let repo: string;
let remoteHome: string;
let remote: ChildProcess | undefined;

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await hub.api(path, init);
  const body = (await response.json()) as T;
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body;
}

const sessions = async () => (await json<{ sessions: Session[] }>("/api/sessions")).sessions;
const byName = async () => new Map((await sessions()).map((s) => [s.name, s]));

/** Every stored output byte of a session, as text. */
async function output(name: string): Promise<string> {
  const page = await json<{ events: { type: string; data: unknown }[] }>(
    `/api/sessions/${name}/events?after=0&limit=5000`,
  );
  return page.events
    .filter((e) => e.type === "output")
    .map((e) => Buffer.from(e.data as string, "base64").toString("utf8"))
    .join("");
}

function writeProject(file: string, text: string): string {
  const path = join(repo, file);
  writeFileSync(path, text);
  return path;
}

const up = (file: string) => hub.cli(["up", "--file", join(repo, file)]);

/** The DID column of `dispatch up`'s table, by session name. */
function did(stdout: string): Record<string, string> {
  const rows = stdout.split("\n").slice(1);
  const result: Record<string, string> = {};
  for (const row of rows) {
    const cells = row.trim().split(/\s{2,}/);
    if (cells.length >= 4) result[cells[0] as string] = cells[3] as string;
  }
  return result;
}

/** Two checkouts of one project: directories `NAME-a` and `NAME-b`, each with the file. */
function checkouts(name: string, text: string): [string, string] {
  return ["a", "b"].map((letter) => {
    const dir = join(repo, `${name}-${letter}`);
    mkdirSync(dir);
    writeFileSync(join(dir, "dispatch.toml"), text);
    return dir;
  }) as [string, string];
}

function startRemote(token: string): void {
  remote = spawn(process.execPath, [BIN, "host", "--hub", hub.url, "--token", token, "--name", "east"], {
    env: cleanEnv({ DISPATCH_HOME: remoteHome, HOME: remoteHome }),
    cwd: REPO_ROOT,
    stdio: "ignore",
  });
}

async function hostStatus(name: string): Promise<string | undefined> {
  const { hosts } = await json<{ hosts: { name: string; status: string }[] }>("/api/hosts");
  return hosts.find((h) => h.name === name)?.status;
}

/** The sample project: a slow database the API waits for, a worker and a shell on `east`. */
function shopProject(worker = "worker v1"): string {
  return `# the sample repository's project
project = "shop"

[[session]]
name = "db"
# A slow starter: ready only after a second, and only then is the marker file there.
command = ["sh", "-c", "echo starting; sleep 1; touch ../db.marker; echo 'db: ready to accept connections'; ${LONG}"]
cwd = "db"
ready = "ready to accept"

[[session]]
name = "api"
command = ["sh", "-c", "if [ -f ../db.marker ]; then echo api saw db ready on $PORT; else echo api started too early; fi; ${LONG}"]
cwd = "api"
env = { PORT = "3000" }
after = "db"

[[session]]
name = "worker"
host = "east"
command = ["sh", "-c", "echo ${worker}; ${LONG}"]

[[session]]
name = "shell"
host = "east"
command = "sleep 600"
`;
}

beforeAll(async () => {
  hub = await startHub();
  repo = mkdtempSync(join(tmpdir(), "dispatch-repo-"));
  for (const dir of ["db", "api"]) mkdirSync(join(repo, dir));
  remoteHome = mkdtempSync(join(tmpdir(), "dispatch-remote-east-"));
  // The token through the API, not `dispatch hosts token create` (a Node boot; hosts.test.ts
  // covers the command).
  const { token } = await json<{ token: string }>("/api/hosts/east/token", { method: "POST", body: "{}" });
  startRemote(token);
  await waitFor(async () => (await hostStatus("east")) === "connected", {
    timeoutMs: 30_000,
    message: "east up",
  });
});

afterAll(async () => {
  if (remote && remote.exitCode === null && remote.signalCode === null) remote.kill("SIGKILL");
  await cleanupAll();
  rmSync(repo, { recursive: true, force: true });
  rmSync(remoteHome, { recursive: true, force: true });
});

describe("a project of four sessions on two hosts", () => {
  it("lists the hub's kinds", async () => {
    const { kinds } = await json<{ kinds: { name: string }[] }>("/api/kinds");
    expect(kinds.map((k) => k.name)).toEqual(expect.arrayContaining(["terminal", "agent", "chat"]));
  });

  it("comes up in dependency order: the API starts only once the database printed ready", async () => {
    const file = writeProject("dispatch.toml", shopProject());
    const first = await up("dispatch.toml");
    expect(first.code, first.stderr).toBe(0);
    expect(did(first.stdout)).toEqual({ db: "created", api: "created", worker: "created", shell: "created" });
    expect(first.stdout).toContain("shop: 4 created");
    const all = await byName();
    expect(all.get("db")).toMatchObject({ host: "local", project: "shop", status: "running" });
    expect(all.get("worker")).toMatchObject({ host: "east", project: "shop", status: "running" });
    expect(all.get("shell")).toMatchObject({ host: "east", project: "shop" });
    await waitFor(async () => (await output("api")).includes("api saw db ready on 3000"), {
      message: "api's output",
    });
    expect(await output("api")).not.toContain("too early");
    expect(existsSync(file)).toBe(true);

    // Read-only calls side by side: each is a Node boot.
    const [ps, ls, current] = await Promise.all([
      hub.cli(["ps", "--project", "shop"]),
      hub.cli(["ls", "--project", "shop", "--json"]),
      hub.cli(["ps"]),
    ]);
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout).toMatch(/^worker\s+terminal\s+east\s+ok\s+running/m);
    expect(ps.stdout).toMatch(/^db\s+terminal\s+local\s+ok\s+running/m);
    expect((JSON.parse(ls.stdout) as Session[]).map((s) => s.name).sort()).toEqual([
      "api",
      "db",
      "shell",
      "worker",
    ]);
    // `up` made it the current project: `ps` without arguments shows it.
    expect(current.stdout).toMatch(/^api\s/m);
  });

  it("is a no-op the second time", async () => {
    const before = await byName();
    const again = await up("dispatch.toml");
    expect(again.code, again.stderr).toBe(0);
    expect(did(again.stdout)).toEqual({
      db: "unchanged",
      api: "unchanged",
      worker: "unchanged",
      shell: "unchanged",
    });
    const after = await byName();
    for (const name of ["db", "api", "worker", "shell"])
      expect(after.get(name)?.id).toBe(before.get(name)?.id);
  });

  it("restarts only the session whose declaration changed, and stops one no longer declared", async () => {
    const before = await byName();
    writeProject("dispatch.toml", shopProject("worker v2"));
    const edited = await up("dispatch.toml");
    expect(edited.code, edited.stderr).toBe(0);
    expect(did(edited.stdout)).toEqual({
      db: "unchanged",
      api: "unchanged",
      worker: "restarted",
      shell: "unchanged",
    });
    const after = await byName();
    expect(after.get("worker")?.id).not.toBe(before.get("worker")?.id);
    for (const name of ["db", "api", "shell"]) expect(after.get(name)?.id).toBe(before.get(name)?.id);
    await waitFor(async () => (await output("worker")).includes("worker v2"), { message: "worker v2" });

    writeProject(
      "dispatch.toml",
      shopProject("worker v2").replace(/\[\[session\]\]\nname = "shell"[\s\S]*$/, ""),
    );
    const dropped = await up("dispatch.toml");
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(did(dropped.stdout)).toMatchObject({ shell: "stopped", worker: "unchanged" });
    expect((await byName()).has("shell")).toBe(false);
  });

  it("comes down, keeping history when asked, and up again continues the same sessions", async () => {
    const before = await byName();
    const kept = await hub.cli(["down", "--keep-history", "--file", join(repo, "dispatch.toml")]);
    expect(kept.code, kept.stderr).toBe(0);
    const stopped = await byName();
    for (const name of ["db", "api", "worker"]) expect(stopped.get(name)?.status).toBe("exited");

    const back = await up("dispatch.toml");
    expect(back.code, back.stderr).toBe(0);
    expect(did(back.stdout)).toEqual({ db: "started", api: "started", worker: "started" });
    const revived = await byName();
    for (const name of ["db", "api", "worker"]) expect(revived.get(name)?.id).toBe(before.get(name)?.id);

    const down = await hub.cli(["down", "--project", "shop"]);
    expect(down.code, down.stderr).toBe(0);
    const left = (await sessions()).filter((s) => s.project === "shop");
    expect(left).toEqual([]);
  });
});

describe("switching projects", () => {
  it("switches the current project with `use --project`, with a did-you-mean", async () => {
    // Tagged as `up` tags them (the shop test covers `up` itself).
    for (const project of ["alpha", "beta"]) {
      await json("/api/sessions", {
        method: "POST",
        body: JSON.stringify({
          name: `${project}-sh`,
          cwd: tmpdir(),
          command: ["sleep", "600"],
          project: { name: project, declaration: "x" },
        }),
      });
    }
    const used = await hub.cli(["use", "--project", "alpha"]);
    expect(used.code, used.stderr).toBe(0);
    expect(used.stdout).toContain("now using project alpha (1 session)");
    // The typo changes nothing, so it runs beside `ps` (each is a Node boot).
    const [ps, typo] = await Promise.all([hub.cli(["ps"]), hub.cli(["use", "--project", "alpah"])]);
    expect(ps.stdout).toMatch(/^alpha-sh\s/m);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("did you mean 'alpha'?");
  });
});

// Independent of each other (own projects, files and session names), so side by side: each
// mostly waits for CLI processes to boot. Not `ps` or `use` without a project, which read the
// current project every `up` sets: those run above, one at a time. Sharing the machine, each
// takes longer than alone: the timeout is for all of them together.
describe.concurrent("projects side by side", { timeout: 240_000 }, () => {
  describe("two checkouts of one project", () => {
    it("brings both up side by side, and `ps`, `up` and `down` in each act on its own sessions", async () => {
      const twin = `project = "twin"

  [[session]]
  name = "web"
  command = ["sh", "-c", "echo web in $(pwd); ${LONG}"]

  [[session]]
  name = "job"
  command = "sleep 600"
  after = "web"
  `;
      const [a, b] = checkouts("clone", twin);
      const first = await hub.cli(["up"], { cwd: a });
      expect(first.code, first.stderr).toBe(0);
      expect(did(first.stdout)).toEqual({ web: "created", job: "created" });
      const before = await byName();

      const second = await hub.cli(["up"], { cwd: b });
      expect(second.code, second.stderr).toBe(0);
      expect(did(second.stdout)).toEqual({ "web-2": "created", "job-2": "created" });
      expect(second.stdout).toContain(
        `this checkout (${b}) runs as project 'twin-2', its sessions as NAME-2 (web → web-2, job → job-2)`,
      );
      const both = await byName();
      expect(both.get("web")).toMatchObject({
        id: before.get("web")?.id,
        project: "twin",
        status: "running",
      });
      expect(both.get("web-2")).toMatchObject({ project: "twin-2", status: "running" });
      await waitFor(async () => (await output("web-2")).includes(`web in ${b}`), { message: "b's web in b" });
      expect(await output("web")).toContain(`web in ${a}`);

      // Again in each: nothing to do, and neither restarts or stops the other's sessions.
      const [againA, againB, psA, psB] = await Promise.all([
        hub.cli(["up"], { cwd: a }),
        hub.cli(["up"], { cwd: b }),
        hub.cli(["ps"], { cwd: a }),
        hub.cli(["ps"], { cwd: b }),
      ]);
      expect(did(againA.stdout)).toEqual({ web: "unchanged", job: "unchanged" });
      expect(did(againB.stdout)).toEqual({ "web-2": "unchanged", "job-2": "unchanged" });
      expect(psA.stdout).toMatch(/^web\s/m);
      expect(psA.stdout).not.toMatch(/^web-2\s/m);
      expect(psB.stdout).toMatch(/^web-2\s/m);
      expect(psB.stdout).not.toMatch(/^web\s/m);

      // `down NAME` in b takes b's session, by the name the file declares.
      const job = await hub.cli(["down", "job"], { cwd: b });
      expect(job.code, job.stderr).toBe(0);
      expect(job.stdout).toMatch(/^job-2\s+removed/m);
      const downB = await hub.cli(["down"], { cwd: b });
      expect(downB.code, downB.stderr).toBe(0);
      const left = await byName();
      expect([...left.values()].filter((s) => s.project === "twin-2")).toEqual([]);
      for (const name of ["web", "job"]) {
        expect(left.get(name)).toMatchObject({
          id: before.get(name)?.id,
          status: "running",
          project: "twin",
        });
      }
      expect((await hub.cli(["down"], { cwd: a })).code).toBe(0);
      expect((await sessions()).filter((s) => s.project?.startsWith("twin"))).toEqual([]);
    });
  });

  describe("a second checkout of a project that declares db and db-2", () => {
    it("runs as NAME-3, whose names none of the first's have, and `ls --project` lists each checkout", async () => {
      const pair = `project = "pair"\n[[session]]\nname = "db"\ncommand = "sleep 600"\n[[session]]\nname = "db-2"\ncommand = "sleep 600"\n`;
      const [a, b] = checkouts("pair", pair);
      const first = await hub.cli(["up"], { cwd: a });
      expect(first.code, first.stderr).toBe(0);
      const before = await byName();
      const second = await hub.cli(["up"], { cwd: b });
      expect(second.code, second.stderr).toBe(0);
      // Not `db-2` for b's `db`: that is a's `db-2`, which b's `up` would have taken for its own.
      expect(did(second.stdout)).toEqual({ "db-3": "created", "db-2-3": "created" });
      expect(second.stdout).toContain(
        `this checkout (${b}) runs as project 'pair-3', its sessions as NAME-3 (db → db-3, db-2 → db-2-3)`,
      );
      const all = await byName();
      expect(all.get("db-2")).toMatchObject({
        id: before.get("db-2")?.id,
        project: "pair",
        status: "running",
      });
      expect(all.get("db-2-3")).toMatchObject({ project: "pair-3", status: "running" });

      const [both, justB, json] = await Promise.all([
        hub.cli(["ls", "--project", "pair"]),
        hub.cli(["ls", "--project", "pair-3"]),
        hub.cli(["ls", "--project", "pair", "--json"]),
      ]);
      expect(both.code, both.stderr).toBe(0);
      expect(both.stdout).toContain(`pair in ${a}:\n`);
      expect(both.stdout).toContain(`pair-3, a checkout of pair in ${b}:\n`);
      const [ofA, ofB] = both.stdout.split(`pair-3, a checkout of pair in ${b}:`) as [string, string];
      expect(ofA).toMatch(/^db\s/m);
      expect(ofA).toMatch(/^db-2\s/m);
      expect(ofB).toMatch(/^db-3\s/m);
      expect(ofB).toMatch(/^db-2-3\s/m);
      expect(ofB).not.toMatch(/^db-2\s/m);
      expect(justB.stdout).not.toContain("pair in");
      expect(
        justB.stdout
          .split("\n")
          .slice(1)
          .map((l) => l.split(/\s+/)[0])
          .filter(Boolean)
          .sort(),
      ).toEqual(["db-2-3", "db-3"]);
      expect((JSON.parse(json.stdout) as Session[]).map((s) => s.name).sort()).toEqual([
        "db",
        "db-2",
        "db-2-3",
        "db-3",
      ]);
      const downs = await Promise.all([hub.cli(["down"], { cwd: a }), hub.cli(["down"], { cwd: b })]);
      for (const down of downs) expect(down.code, down.stderr).toBe(0);
      expect((await sessions()).filter((s) => s.project?.startsWith("pair"))).toEqual([]);
    });
  });

  describe("agents and chats in a project", () => {
    it("resolves an agent's profile and a chat's provider from the config, as `new --agent` and `chat` do", async () => {
      const config = join(repo, "config");
      mkdirSync(join(config, "dispatch"), { recursive: true });
      writeFileSync(
        join(config, "dispatch", "config.toml"),
        `[agents.fake]
  command = "sh"
  args = ["-c", "echo agent $0 A=$A B=$B; exec sleep 600"]
  env = { A = "profile", B = "profile" }

  [providers.local]
  type = "openai"
  base_url = "http://127.0.0.1:9/v1"
  model = "m-local"
  `,
      );
      const env = { XDG_CONFIG_HOME: config };
      const project = (agentOptions: string) => `project = "ai"

  [[session]]
  name = "coder"
  kind = "agent"
  command = ["from-project"]
  env = { B = "declared" }
  options = ${agentOptions}

  [[session]]
  name = "talk"
  kind = "chat"
  options = { provider = "local", model = "m-project" }
  `;
      const file = writeProject("ai.toml", project('{ profile = "fake", sandbox = false }'));
      const first = await hub.cli(["up", "--file", file], { env });
      expect(first.code, first.stderr).toBe(0);
      expect(did(first.stdout)).toEqual({ coder: "created", talk: "created" });
      await waitFor(async () => (await output("coder")).includes("agent from-project A=profile B=declared"), {
        message: "the agent ran its profile's command with the declared extra args and env",
      });
      const talk = (
        await json<{ session: Session & { options: Record<string, unknown> } }>("/api/sessions/talk")
      ).session;
      expect(talk.status).toBe("running");
      expect(talk.options).toMatchObject({
        provider: "openai",
        profile: "local",
        model: "m-project",
        baseUrl: "http://127.0.0.1:9/v1",
      });

      // A mistyped key is named at its line, and the running agent is left as it was.
      const before = (await byName()).get("coder");
      writeProject("ai.toml", project('{ profle = "fake", sandbox = false }'));
      const typo = await hub.cli(["up", "--file", file], { env });
      expect(typo.code).toBe(1);
      expect(did(typo.stdout)).toEqual({ coder: "failed", talk: "unchanged" });
      expect(typo.stderr).toContain(
        `${file}:8: 'options': no key 'profle' — did you mean 'profile'? (agent sessions take profile, sandbox, worktree, branch); 'coder' was not started`,
      );
      const after = (await byName()).get("coder");
      expect(after?.id).toBe(before?.id);
      expect(after?.status).toBe("running");

      const down = await hub.cli(["down", "--project", "ai"]);
      expect(down.code, down.stderr).toBe(0);
    });
  });

  describe("an agent's worktree in a project", () => {
    it("runs a declared agent in its worktree, keeps it across a restart and `down`, and removes it only when asked and safe", async () => {
      const work = join(repo, "wt");
      mkdirSync(work);
      const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" });
      git(work, "init", "-q", "-b", "main");
      git(
        work,
        "-c",
        "user.email=a@b",
        "-c",
        "user.name=A",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "initial",
      );
      const config = join(repo, "wt-config");
      mkdirSync(join(config, "dispatch"), { recursive: true });
      writeFileSync(
        join(config, "dispatch", "config.toml"),
        `[agents.w]\ncommand = "sh"\nargs = ["-c", "echo agent $0; exec sleep 600"]\n`,
      );
      const env = { XDG_CONFIG_HOME: config };
      const project = (command: string) =>
        `project = "wt"\n[[session]]\nname = "helper"\nkind = "agent"\ncommand = ["${command}"]\n` +
        `options = { profile = "w", sandbox = false, worktree = true, branch = "helper-work" }\n`;
      const file = join(work, "dispatch.toml");
      writeFileSync(file, project("v1"));
      const worktree = join(work, ".dispatch", "worktrees", "helper");
      const helper = async () =>
        (await json<{ session: Session & { cwd: string } }>("/api/sessions/helper")).session;

      const first = await hub.cli(["up", "--file", file], { env });
      expect(first.code, first.stderr).toBe(0);
      expect((await helper()).cwd).toBe(worktree);
      expect(git(worktree, "rev-parse", "--abbrev-ref", "HEAD").trim()).toBe("helper-work");
      writeFileSync(join(worktree, "work.txt"), "done\n");
      git(worktree, "add", ".");
      git(worktree, "-c", "user.email=a@b", "-c", "user.name=A", "commit", "-q", "-m", "work");

      // Restarted (its declaration changed): the same worktree, the agent's commit in it.
      writeFileSync(file, project("v2"));
      const again = await hub.cli(["up", "--file", file], { env });
      expect(again.code, again.stderr).toBe(0);
      expect(did(again.stdout)).toEqual({ helper: "restarted" });
      await waitFor(async () => (await output("helper")).includes("agent v2"), { message: "v2 ran" });
      expect((await helper()).cwd).toBe(worktree);
      expect(existsSync(join(worktree, "work.txt"))).toBe(true);

      const down = await hub.cli(["down", "--project", "wt"]);
      expect(down.code, down.stderr).toBe(0);
      expect(down.stdout).toContain(`helper: kept its worktree ${worktree} and branch helper-work`);
      expect(existsSync(join(worktree, "work.txt"))).toBe(true);

      // Asked to remove it, down refuses for the unmerged commit and removes nothing.
      expect((await hub.cli(["up", "--file", file], { env })).code).toBe(0);
      const refused = await hub.cli(["down", "--project", "wt", "--remove-worktrees"]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("branch helper-work has 1 commit(s) not merged into main");
      expect(existsSync(join(worktree, "work.txt"))).toBe(true);

      git(work, "merge", "-q", "--ff-only", "helper-work");
      expect((await hub.cli(["up", "--file", file], { env })).code).toBe(0);
      const removed = await hub.cli(["down", "--project", "wt", "--remove-worktrees"]);
      expect(removed.code, removed.stderr).toBe(0);
      expect(removed.stdout).toContain(
        `helper: removed its worktree ${worktree}; branch helper-work deleted`,
      );
      expect(existsSync(worktree)).toBe(false);
    });
  });

  describe("a restart the hub refuses", () => {
    it("puts the old session back under its name, running, and says so", async () => {
      const project = (svc: string, opt: string) => `project = "keep"

  [[session]]
  name = "svc"
  command = ${svc}

  [[session]]
  name = "opt"
  command = ["sh", "-c", "echo opt; ${LONG}"]
  ${opt}
  `;
      writeProject("keep.toml", project(`["sh", "-c", "echo svc v1; ${LONG}"]`, ""));
      const first = await up("keep.toml");
      expect(first.code, first.stderr).toBe(0);
      const before = await byName();

      // A program the host cannot find, and an option the hub refuses.
      writeProject("keep.toml", project('"no-such-program-for-dispatch"', "options = { bogus = 1 }"));
      const refused = await up("keep.toml");
      expect(refused.code).toBe(1);
      expect(did(refused.stdout)).toEqual({ svc: "failed", opt: "failed" });
      expect(refused.stderr).toMatch(
        /svc: .*no-such-program-for-dispatch.*; 'svc' was not restarted: the old one was started again as it was declared before/,
      );
      expect(refused.stderr).toContain("'opt' was not restarted: the old one was started again");
      const after = await byName();
      for (const name of ["svc", "opt"]) {
        expect(after.get(name)).toMatchObject({
          id: before.get(name)?.id,
          status: "running",
          project: "keep",
        });
      }
      expect([...after.keys()].filter((n) => /^(svc|opt)-replaced/.test(n))).toEqual([]);
      // Revived: its old screen, then what the old command prints again.
      await waitFor(
        async () => (await output("svc")).split("--- history restored ---")[1]?.includes("svc v1"),
        {
          message: "the old svc ran again",
        },
      );
      expect((await hub.cli(["down", "--project", "keep"])).code).toBe(0);
    });
  });

  describe("one session at a time", () => {
    const parts = (withOther: boolean) => `project = "parts"

  [[session]]
  name = "base"
  command = ["sh", "-c", "echo base ready; ${LONG}"]
  ready = "base ready"

  [[session]]
  name = "mid"
  command = "sleep 600"
  after = "base"

  [[session]]
  name = "top"
  command = "sleep 600"
  after = ["mid"]
  ${withOther ? '\n[[session]]\nname = "other"\ncommand = "sleep 600"\n' : ""}`;
    const inParts = async () =>
      (await sessions())
        .filter((s) => s.project === "parts")
        .map((s) => s.name)
        .sort();

    it("brings up a named session with what it waits for, takes down only the named one, and says which names are not declared", async () => {
      const file = writeProject("parts.toml", parts(true));
      const top = await hub.cli(["up", "top", "--file", file]);
      expect(top.code, top.stderr).toBe(0);
      expect(did(top.stdout)).toEqual({ base: "created", mid: "created", top: "created" });
      expect(await inParts()).toEqual(["base", "mid", "top"]);

      const all = await hub.cli(["up", "--file", file]);
      expect(did(all.stdout)).toEqual({
        base: "unchanged",
        mid: "unchanged",
        top: "unchanged",
        other: "created",
      });

      const mid = await hub.cli(["down", "mid", "--project", "parts"]);
      expect(mid.code, mid.stderr).toBe(0);
      expect(mid.stdout).toMatch(/^mid\s+removed/m);
      expect(await inParts()).toEqual(["base", "other", "top"]);

      // A partial `up` stops nothing, not even a session the file no longer declares.
      writeProject("parts.toml", parts(false));
      const again = await hub.cli(["up", "mid", "--file", file]);
      expect(again.code, again.stderr).toBe(0);
      expect(did(again.stdout)).toEqual({ base: "unchanged", mid: "created" });
      expect(await inParts()).toEqual(["base", "mid", "other", "top"]);

      // Names it does not declare: said with a did-you-mean, and nothing touched. Side by side.
      const before = await inParts();
      const [up, down] = await Promise.all([
        hub.cli(["up", "tpo", "--file", file]),
        hub.cli(["down", "othr", "--project", "parts"]),
      ]);
      expect(up.code).toBe(2);
      expect(up.stderr).toContain(
        `dispatch: ${file} declares no session 'tpo' — did you mean 'top'? (it declares: base, mid, top)`,
      );
      expect(down.code).toBe(2);
      expect(down.stderr).toContain(
        "dispatch: project 'parts' has no session 'othr' — did you mean 'other'?",
      );
      expect(await inParts()).toEqual(before);
      expect((await hub.cli(["down", "--project", "parts"])).code).toBe(0);
    });
  });

  describe("templates", () => {
    it("writes a starting file from a built-in template or one of the user's", async () => {
      const dir = mkdtempSync(join(repo, "init-"));
      const config = join(dir, "config");
      mkdirSync(join(config, "dispatch", "templates"), { recursive: true });
      writeFileSync(
        join(config, "dispatch", "templates", "mine.toml"),
        `project = "{{project}}"\n[[session]]\nname = "{{project}}-mine"\n`,
      );
      const env = { XDG_CONFIG_HOME: config };
      // Different files, so side by side (each is a Node boot); `again` follows `mine`.
      const [node, mine, typo] = await Promise.all([
        hub.cli(["init", "--template", "node", "--name", "webshop", "--file", join(dir, "a.toml")], { env }),
        hub.cli(["init", "--template", "mine", "--name", "x", "--file", join(dir, "b.toml")], { env }),
        hub.cli(["init", "--template", "pyhton", "--file", join(dir, "c.toml")], { env }),
      ]);
      expect(node.code, node.stderr).toBe(0);
      expect(readFileSync(join(dir, "a.toml"), "utf8")).toContain('name = "webshop-dev"');
      expect(mine.code, mine.stderr).toBe(0);
      expect(readFileSync(join(dir, "b.toml"), "utf8")).toContain('name = "x-mine"');
      const again = await hub.cli(["init", "--template", "mine", "--file", join(dir, "b.toml")], { env });
      expect(again.code).toBe(2);
      expect(again.stderr).toContain("already exists");
      expect(typo.code).toBe(2);
      expect(typo.stderr).toContain("did you mean 'python'?");
    });
  });

  describe("bad input", () => {
    it("points at the line of a syntax error, an unknown key and an unknown kind, and starts nothing", async () => {
      const syntax = writeProject("syntax.toml", `project = "bad"\n[[session]]\nname = "x\n`);
      const keys = writeProject(
        "keys.toml",
        `project = "bad"\n\n[[session]]\nname = "bad-one"\ncomand = "sleep 1"\nafter = "bad-tow"\n\n[[session]]\nname = "bad-two"\n`,
      );
      const after = writeProject(
        "after.toml",
        `project = "bad"\n\n[[session]]\nname = "bad-one"\nafter = "bad-tow"\n\n[[session]]\nname = "bad-two"\n`,
      );
      const kind = writeProject(
        "kind.toml",
        `project = "bad"\n\n[[session]]\nname = "bad-one"\n\n[[session]]\nname = "bad-two"\nkind = "termnial"\n\n[[session]]\nname = "bad-nb"\nkind = "image"\n`,
      );
      // Each is refused before anything starts, so side by side (each is a Node boot).
      const [broken, unknownKey, unknownAfter, unknownKind] = await Promise.all(
        [syntax, keys, after, kind].map((file) => hub.cli(["up", "--file", file])),
      );
      expect(broken.code).toBe(2);
      expect(broken.stderr).toContain(`${syntax}:3:`);

      expect(unknownKey.code).toBe(2);
      expect(unknownKey.stderr).toContain(
        `${keys}:5: unknown key 'comand' in session 'bad-one' — did you mean 'command'?`,
      );

      expect(unknownAfter.code).toBe(2);
      expect(unknownAfter.stderr).toContain(
        `${after}:5: no session 'bad-tow' in this project — did you mean 'bad-two'?`,
      );

      expect(unknownKind.code).toBe(2);
      expect(unknownKind.stderr).toContain(
        `${kind}:8: no session kind 'termnial' — did you mean 'terminal'?`,
      );
      // A word people use for a kind's sessions names the kind (an image runs in a workspace).
      expect(unknownKind.stderr).toContain(
        `${kind}:12: no session kind 'image': its sessions are of kind 'workspace' (kind = "workspace")`,
      );
      expect((await sessions()).filter((s) => s.project === "bad")).toEqual([]);
    });

    it("reports a cycle, a command that cannot start, a ready pattern that never comes, a missing directory, an environment and an option the hub refuses and a mistyped host, each at its line; the rest comes up", async () => {
      const file = writeProject(
        "errors.toml",
        `project = "errs"

  [[session]]
  name = "loop-a"
  command = "sleep 600"
  after = "loop-b"

  [[session]]
  name = "loop-b"
  command = "sleep 600"
  after = "loop-a"

  [[session]]
  name = "nosuch"
  command = "no-such-program-for-dispatch --flag"

  [[session]]
  name = "silent"
  command = ["sh", "-c", "echo warming up; echo still warming; ${LONG}"]
  ready = "listening on"
  ready_timeout = "1s"

  [[session]]
  name = "needs-silent"
  command = "sleep 600"
  after = "silent"

  [[session]]
  name = "typo-host"
  host = "eastt"
  command = "sleep 600"

  [[session]]
  name = "fine"
  command = "sleep 600"

  [[session]]
  name = "no-dir"
  cwd = "no-such-dir"
  command = "sleep 600"

  [[session]]
  name = "big-env"
  command = "sleep 600"
  env = { BIG = "${"x".repeat(70_000)}" }

  [[session]]
  name = "bad-opt"
  command = "sleep 600"
  options = { bogus = 1 }
  `,
      );
      const result = await hub.cli(["up", "--file", file]);
      expect(result.code).toBe(1);
      expect(did(result.stdout)).toEqual({
        "loop-a": "failed",
        "loop-b": "failed",
        nosuch: "failed",
        silent: "not ready",
        "needs-silent": "skipped",
        "typo-host": "failed",
        fine: "created",
        "no-dir": "failed",
        "big-env": "failed",
        "bad-opt": "failed",
      });
      const err = result.stderr;
      expect(err).toContain(`loop-a: ${file}:6: 'after' goes round in a cycle (loop-a → loop-b → loop-a)`);
      // What the host or the hub says is put at the line to fix too, as the file's own mistakes are.
      expect(err).toContain(
        `nosuch: ${file}:15: command not found: 'no-such-program-for-dispatch' (not executable, or not on PATH)`,
      );
      expect(err).toContain(
        `silent: ${file}:20: 'silent' did not print /listening on/ within 1s (ready_timeout); its last lines:`,
      );
      expect(err).toContain("| still warming");
      expect(err).toContain(`needs-silent: ${file}:26: waits for 'silent', which did not come up`);
      expect(err).toContain(
        `no-dir: ${file}:39: working directory '${join(repo, "no-such-dir")}' does not exist or is not a directory`,
      );
      expect(err).toContain(`big-env: ${file}:45: invalid request: 'env.BIG': too long`);
      // The hub says which field it refused (the option's own name is no key of the file).
      expect(err).toContain(`bad-opt: ${file}:50: invalid terminal options: Unrecognized key: "bogus"`);
      expect(err).toContain(`typo-host: ${file}:30: no host 'eastt' — did you mean 'east'?`);
      const all = await byName();
      expect(all.get("fine")).toMatchObject({ status: "running", project: "errs" });
      // What failed to start is there under its declared name, saying why.
      expect(all.get("nosuch")).toMatchObject({ status: "failed", project: "errs" });
      expect(all.get("silent")).toMatchObject({ status: "running", project: "errs" });
      for (const name of ["loop-a", "loop-b", "needs-silent", "typo-host", "bad-opt"])
        expect(all.has(name)).toBe(false);
      // The field is in the error a client gets, beside the message: what `up` reads the line from.
      const refusals = await Promise.all(
        [
          { env: { BIG: "x".repeat(70_000) } },
          { options: { bogus: 1 } },
          { cwd: "rel" },
          { name: "Bad Name" },
        ].map(async (fields) => {
          const response = await hub.api("/api/sessions", {
            method: "POST",
            body: JSON.stringify({ cwd: tmpdir(), command: ["sleep", "600"], ...fields }),
          });
          return ((await response.json()) as { error: { field?: string } }).error.field;
        }),
      );
      expect(refusals).toEqual(["env.BIG", "options", "cwd", "name"]);
      expect((await hub.cli(["down", "--project", "errs"])).code).toBe(0);
    });

    it("refuses a name taken outside the project", async () => {
      const taken = await json<{ session: Session }>("/api/sessions", {
        method: "POST",
        body: JSON.stringify({ name: "taken", cwd: tmpdir(), command: ["sleep", "600"] }),
      });
      const file = writeProject(
        "taken.toml",
        `project = "grab"\n[[session]]\nname = "taken"\ncommand = "sleep 600"\n`,
      );
      const result = await hub.cli(["up", "--file", file]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `dispatch: taken: ${file}:3: a session named 'taken' already exists outside any project, so this one was not started; ` +
          "rename that one (`dispatch rename taken NEW`) or this one in the project file",
      );
      // The row is about the name, not about the other session (running, but not this project's).
      const row = result.stdout.split("\n").find((line) => line.startsWith("taken "));
      expect(row?.trim().split(/\s{2,}/)).toEqual([
        "taken",
        "terminal",
        "local",
        "taken",
        "name used by a session outside the project",
      ]);
      expect((await byName()).get("taken")?.id).toBe(taken.session.id);
    });

    it("says there is nothing to bring up when the file declares no sessions", async () => {
      const file = writeProject("empty.toml", `project = "empty"\n`);
      const result = await hub.cli(["up", "--file", file]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout.trim()).toBe(
        `empty: nothing to bring up; ${file} declares no sessions (add a [[session]] table with a name and a command)`,
      );
    });
  });
});

// Last: it takes the remote host away.
describe("a host that is away", () => {
  it("says which host is not connected and brings up the rest", async () => {
    remote?.kill("SIGKILL");
    await waitFor(async () => (await hostStatus("east")) === "disconnected", {
      timeoutMs: 15_000,
      message: "east disconnected",
    });
    const file = writeProject(
      "away.toml",
      `project = "away"\n[[session]]\nname = "away-remote"\nhost = "east"\ncommand = "sleep 600"\n\n[[session]]\nname = "away-local"\ncommand = "sleep 600"\n`,
    );
    const result = await hub.cli(["up", "--file", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `away-remote: ${file}:4: host 'east' is disconnected; 'away-remote' was not started`,
    );
    expect(did(result.stdout)).toEqual({ "away-remote": "failed", "away-local": "created" });
    expect((await byName()).get("away-local")?.status).toBe("running");
  });
});
