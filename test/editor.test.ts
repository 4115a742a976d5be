/**
 * Editor sessions end to end: a real hub, a real host, real files. Opening and joining,
 * scripts' REST route and CLI verbs, paths that try to escape the allowed roots, files the
 * editor must refuse, changes made on disk while clean and while dirty, a hub SIGKILLed while
 * edits arrive, two collaborators making 1,000 small concurrent edits, malformed updates.
 */

import { type ChildProcess, spawn } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAlive } from "../src/platform/processAlive.js";
import { EditorPeer } from "./editorPeer.js";
import {
  apiCall,
  BIN,
  cleanEnv,
  cleanupAll,
  type HubHandle,
  REPO_ROOT,
  startHub,
  waitFor,
} from "./harness.js";

let hub: HubHandle;
let root: string;
let outside: string;
const peers: EditorPeer[] = [];
let remote: { child: ChildProcess; home: string } | undefined;

function call(path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return apiCall(hub, path, body);
}

async function open(path: string, extra: Record<string, unknown> = {}) {
  return call("/api/sessions", { kind: "editor", options: { path, ...extra } });
}

async function textOf(name: string): Promise<{ text: string; seq: number; status: string }> {
  const reply = await call(`/api/sessions/${name}/text`);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body as { text: string; seq: number; status: string };
}

async function fileStatus(name: string): Promise<string | undefined> {
  const session = (await call(`/api/sessions/${name}`)).body.session as { options?: { status?: string } };
  return session.options?.status;
}

/** The three texts of the session's conflict; undefined when it is not in conflict. */
async function conflictOf(name: string): Promise<{ base: string; disk: string; buffer: string } | undefined> {
  return (await call(`/api/sessions/${name}/commands/conflict`, {})).body.result as
    | { base: string; disk: string; buffer: string }
    | undefined;
}

async function peer(session: string, client: string, fromSnapshot = false): Promise<EditorPeer> {
  const p = await EditorPeer.open({ url: hub.url, key: hub.key, session, client, fromSnapshot });
  peers.push(p);
  return p;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "dispatch-editor-root-"));
  outside = mkdtempSync(join(tmpdir(), "dispatch-editor-outside-"));
  hub = await startHub({ env: { DISPATCH_EDITOR_ROOTS: root, DISPATCH_EDITOR_MAX_BYTES: "100000" } });
});

afterAll(async () => {
  for (const p of peers) p.close();
  if (remote) {
    if (remote.child.exitCode === null && remote.child.signalCode === null) remote.child.kill("SIGKILL");
    rmSync(remote.home, { recursive: true, force: true });
  }
  await cleanupAll();
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe("editor sessions", () => {
  it("opens and joins a file, reads and edits it over REST, and saves it with the CLI", async () => {
    const file = join(root, "notes.txt");
    writeFileSync(file, "hello world\n");
    chmodSync(file, 0o640);
    const opened = await hub.cli(["edit", file, "--name", "notes"]);
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.stdout.trim()).toBe("notes");
    const joined = await hub.cli(["edit", file]);
    expect(joined.stdout.trim()).toBe("notes");

    expect((await textOf("notes")).text).toBe("hello world\n");
    const edited = await call("/api/sessions/notes/edits", {
      edits: [
        { from: 0, to: 5, insert: "goodbye" },
        { from: 12, to: 12, insert: "more\n" },
      ],
      client: "script",
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    const now = await textOf("notes");
    expect(now.text).toBe("goodbye world\nmore\n");
    expect(now.seq).toBeGreaterThan(0);
    await waitFor(async () => (await fileStatus("notes")) === "dirty");
    expect(readFileSync(file, "utf8")).toBe("hello world\n");
    // `ls` shows the file and that it is unsaved, where a shell shows its command.
    const ls = await hub.cli(["ls"]);
    expect(ls.stdout).toMatch(new RegExp(`notes +editor +running +notes.txt \\(unsaved\\) · ${root}`));

    const cat = await hub.cli(["cat", "notes"]);
    expect(cat.stdout).toBe("goodbye world\nmore\n");
    const saved = await hub.cli(["save", "notes"]);
    expect(saved.code, saved.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toBe("goodbye world\nmore\n");
    const { statSync } = await import("node:fs");
    expect(statSync(file).mode & 0o777).toBe(0o640);
    await waitFor(async () => (await fileStatus("notes")) === "clean");

    // The history: who changed what is in the log, and the text at an earlier seq comes back.
    const history = (await call("/api/sessions/notes/commands/history", {})).body.result as {
      changes: { seq: number; client: string; pieces: unknown[] }[];
    };
    expect(history.changes.map((c) => c.client)).toEqual(["disk", "script"]);
    // What each did, in the `edits` command's terms (the client alone left it to diffing by hand).
    expect(history.changes[1]?.pieces).toEqual([
      { from: 0, to: 5, insert: "goodbye" },
      { from: 12, to: 12, insert: "more\n" },
    ]);
    const first = history.changes[0]?.seq as number;
    // Two reads side by side (each is a Node boot).
    const [at, listed] = await Promise.all([
      hub.cli(["edit", "notes", "--at", String(first)]),
      hub.cli(["edit", "notes", "--history"]),
    ]);
    expect(at.stdout).toBe("hello world\n");
    const lines = listed.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(
        `^seq ${first}  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  disk  inserted "hello world\\\\n" at 0$`,
      ),
    );
    expect(lines[1]).toMatch(/ script {2}replaced 0-5 with "goodbye"; inserted "more\\n" at 12$/);
  });

  it("refuses typed text, which it would drop, and says what shows it in place of logs", async () => {
    writeFileSync(join(root, "typed.txt"), "as on disk\n");
    expect((await hub.cli(["edit", join(root, "typed.txt")])).stdout.trim()).toBe("typed-txt");
    const sent = await hub.cli(["send", "typed-txt", "--enter", "hello"]);
    expect(sent.code).toBe(1);
    expect(sent.stderr).toContain("'typed-txt' is a file editor: it takes edits, not typed text");
    expect(sent.stderr).toContain("dispatch cmd typed-txt edits");
    expect((await textOf("typed-txt")).text).toBe("as on disk\n");
    // Its log is edits, not output: `logs` says what shows it instead of printing nothing.
    const logs = await hub.cli(["logs", "typed-txt"]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toBe("");
    expect(logs.stderr).toContain(
      "'typed-txt' is a file editor: it writes no output; `dispatch cat typed-txt`",
    );
  });

  it("names a session after its file, made free while another holds the name", async () => {
    mkdirSync(join(root, "other"), { recursive: true });
    writeFileSync(join(root, "Plan.md"), "a\n");
    writeFileSync(join(root, "other", "Plan.md"), "b\n");
    const first = await hub.cli(["edit", join(root, "Plan.md")]);
    expect(first.stdout.trim(), first.stderr).toBe("plan-md");
    const second = await hub.cli(["edit", join(root, "other", "Plan.md")]);
    expect(second.stdout.trim(), second.stderr).toBe("plan-md-2");
    expect((await textOf("plan-md-2")).text).toBe("b\n");
  });

  it("refuses paths that escape the allowed roots, binary and oversized files, and missing files without create", async () => {
    writeFileSync(join(outside, "secret.txt"), "secret");
    symlinkSync(join(outside, "secret.txt"), join(root, "link.txt"));
    symlinkSync(outside, join(root, "dirlink"));
    const cases: [string, number, RegExp][] = [
      ["../secret.txt", 403, /may not contain '\.\.'/],
      [`${root}/sub/../../secret.txt`, 403, /may not contain '\.\.'/],
      [
        join(outside, "secret.txt"),
        403,
        // What to set, with the roots there are: copied as it is, it allows the file's directory.
        new RegExp(
          `outside the editor's allowed roots .*start the host with DISPATCH_EDITOR_ROOTS=${root}:${outside} `,
        ),
      ],
      ["link.txt", 403, /symbolic link/],
      ["dirlink/secret.txt", 403, /symbolic link/],
    ];
    for (const [path, status, message] of cases) {
      const reply = await open(path);
      expect(reply.status, path).toBe(status);
      expect(errorOf(reply), path).toMatch(message);
    }
    writeFileSync(join(root, "image.bin"), Buffer.from([0x89, 0x50, 0x00, 0x01]));
    const binary = await open("image.bin");
    expect(binary.status).toBe(400);
    expect(errorOf(binary)).toMatch(/binary file/);
    writeFileSync(join(root, "big.txt"), "x".repeat(200_000));
    const big = await open("big.txt");
    expect(big.status).toBe(413);
    expect(errorOf(big)).toMatch(/opens files up to/);

    const missing = await open("new.txt");
    expect(missing.status).toBe(404);
    expect(errorOf(missing)).toMatch(/--create/);
    const cli = await hub.cli(["edit", join(root, "nowhere", "x.txt")]);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/does not exist/);
    const created = await open("new.txt", { create: true });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(readFileSync(join(root, "new.txt"), "utf8")).toBe("");
  });

  it("browses the host's allowed roots with the same rules as opening, marking files the editor refuses", async () => {
    const dir = join(root, "browse");
    mkdirSync(join(dir, "sub"), { recursive: true });
    writeFileSync(join(dir, "notes.txt"), "hi\n");
    writeFileSync(join(dir, "sub", "inner.txt"), "inner\n");
    writeFileSync(join(dir, "blob.bin"), Buffer.from([0x7f, 0x45, 0x00, 0x02]));
    writeFileSync(join(dir, "huge.txt"), "y".repeat(200_000));
    writeFileSync(join(outside, "away.txt"), "away");
    symlinkSync(join(outside, "away.txt"), join(dir, "away-link.txt"));
    symlinkSync(outside, join(dir, "away-dir"));
    const list = async (query: string) => call(`/api/files${query}`);

    const top = await list("");
    expect(top.status, JSON.stringify(top.body)).toBe(200);
    expect(top.body.path).toBe(root);
    expect(top.body.parent).toBeNull();
    expect(top.body.roots).toEqual([root]);

    const listing = await list(`?host=local&path=${encodeURIComponent(dir)}`);
    expect(listing.status, JSON.stringify(listing.body)).toBe(200);
    expect(listing.body.parent).toBe(root);
    const entries = listing.body.entries as { name: string; type: string; refused?: string; size?: number }[];
    const byName = Object.fromEntries(entries.map((e) => [e.name, e]));
    // Directories first, then files, each by name.
    expect(entries.map((e) => e.name)).toEqual([
      "away-dir",
      "sub",
      "away-link.txt",
      "blob.bin",
      "huge.txt",
      "notes.txt",
    ]);
    expect(byName["notes.txt"]).toMatchObject({ type: "file", size: 3 });
    expect(byName["notes.txt"]?.refused).toBeUndefined();
    expect(byName["sub"]?.refused).toBeUndefined();
    expect(byName["blob.bin"]?.refused).toMatch(/binary/);
    expect(byName["huge.txt"]?.refused).toMatch(/too large \(0\.2 MiB; the editor opens up to 0\.1 MiB\)/);
    expect(byName["away-link.txt"]?.refused).toMatch(/leads outside the allowed roots/);
    expect(byName["away-dir"]?.refused).toMatch(/leads outside the allowed roots/);

    // Relative paths are taken from the first root, as when opening.
    const sub = await list("?path=browse/sub");
    expect((sub.body.entries as { name: string }[]).map((e) => e.name)).toEqual(["inner.txt"]);

    const refusals: [string, number, RegExp][] = [
      ["browse/../..", 403, /may not contain '\.\.'/],
      [outside, 403, /outside the editor's allowed roots/],
      ["browse/away-dir", 403, /symbolic link/],
      ["browse/notes.txt", 400, /is a file, not a directory/],
      ["browse/nothing-here", 404, /no directory/],
    ];
    for (const [path, status, message] of refusals) {
      const reply = await list(`?path=${encodeURIComponent(path)}`);
      expect(reply.status, path).toBe(status);
      expect(errorOf(reply), path).toMatch(message);
    }
    const noHost = await list("?host=nowhere");
    expect(noHost.status).toBe(404);

    // Browsing is for those who may open files: a viewer is refused, a writer may.
    const tokens: Record<string, string> = {};
    for (const role of ["viewer", "writer"]) {
      const made = await call("/api/users", { name: `browse-${role}`, role });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      tokens[role] = String(made.body.token);
    }
    const as = (role: string) =>
      fetch(`${hub.url}/api/files`, { headers: { authorization: `Bearer ${tokens[role]}` } });
    const viewer = await as("viewer");
    expect(viewer.status).toBe(403);
    expect(((await viewer.json()) as { error: { message: string } }).error.message).toMatch(
      /cannot browse hosts' files/,
    );
    expect((await as("writer")).status).toBe(200);

    // The CLI lists the same, with the reasons.
    const cli = await hub.cli(["files", dir]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain("  sub/\n");
    expect(cli.stdout).toContain("  notes.txt  3\n");
    expect(cli.stdout).toMatch(/blob\.bin {2}\(refused: binary/);
    const escaping = await hub.cli(["files", outside]);
    expect(escaping.code).not.toBe(0);
    expect(escaping.stderr).toMatch(/outside the editor's allowed roots/);
  });

  it("opens a file of another session's directory (an agent's worktree) with --in", async () => {
    const worktree = join(root, "worktree");
    mkdirSync(worktree, { recursive: true });
    writeFileSync(join(worktree, "todo.md"), "- [ ] ship\n");
    const shell = await call("/api/sessions", { name: "wt-shell", cwd: worktree, command: ["sleep", "600"] });
    expect(shell.status, JSON.stringify(shell.body)).toBe(201);
    const opened = await hub.cli(["edit", "todo.md", "--in", "wt-shell", "--name", "wt-todo"]);
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.stdout.trim()).toBe("wt-todo");
    expect((await textOf("wt-todo")).text).toBe("- [ ] ship\n");
    const session = (await call("/api/sessions/wt-todo")).body.session as { options: { path: string } };
    expect(session.options.path).toBe(join(worktree, "todo.md"));
    const unknown = await hub.cli(["edit", "todo.md", "--in", "wt-shel"]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/did you mean 'wt-shell'/);
    await hub.api("/api/sessions/wt-shell", { method: "DELETE" });
  });

  it("reloads a clean buffer on an external change and refuses to save a dirty one until resolved", async () => {
    const file = join(root, "watched.txt");
    writeFileSync(file, "one\n");
    expect((await open(file)).status).toBe(201);
    const name = (
      (await call("/api/sessions")).body.sessions as { name: string; options?: { path?: string } }[]
    ).find((s) => s.options?.path === file)?.name as string;
    const watcher = await peer(name, "watcher");
    await waitFor(() => watcher.text === "one\n");

    writeFileSync(file, "two\n");
    await waitFor(async () => (await textOf(name)).text === "two\n");
    await waitFor(() => watcher.text === "two\n");
    expect(await fileStatus(name)).toBe("clean");

    await call(`/api/sessions/${name}/edits`, { edits: [{ from: 0, to: 0, insert: "mine " }] });
    writeFileSync(file, "theirs\n");
    // The conflict as a person sees it, not its status alone: a writer descheduled between
    // truncating and writing is shown first as an empty file (see editorDisk.test.ts).
    await waitFor(async () => (await conflictOf(name))?.disk === "theirs\n");
    const refused = await call(`/api/sessions/${name}/save`, {});
    expect(refused.status).toBe(409);
    expect(errorOf(refused)).toMatch(/resolve the conflict/);
    expect(readFileSync(file, "utf8")).toBe("theirs\n");

    const three = (await call(`/api/sessions/${name}/commands/conflict`, {})).body.result;
    expect(three).toEqual({ base: "two\n", disk: "theirs\n", buffer: "mine two\n" });
    const resolved = await call(`/api/sessions/${name}/commands/resolve`, {
      take: "text",
      text: "mine theirs\n",
    });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    expect((await call(`/api/sessions/${name}/save`, {})).status).toBe(200);
    expect(readFileSync(file, "utf8")).toBe("mine theirs\n");
    await waitFor(() => watcher.text === "mine theirs\n");
  });

  it("treats a file another program made binary or too large as a conflict: no save over it unasked, no reload", async () => {
    // Turned into Latin-1 (not UTF-8) under unsaved edits: saving must not write over it unseen.
    const file = join(root, "recoded.txt");
    writeFileSync(file, "café\n");
    const name = ((await open(file)).body.session as { name: string }).name;
    await call(`/api/sessions/${name}/edits`, { edits: [{ from: 0, to: 0, insert: "my " }] });
    const latin1 = Buffer.from("caf\xe9 by iconv\n", "latin1");
    writeFileSync(file, latin1);
    // The conflict with what was written, not the empty file a truncation may show first.
    await waitFor(async () =>
      /not UTF-8 text/.test(errorOf(await call(`/api/sessions/${name}/commands/conflict`, {}))),
    );
    const refused = await call(`/api/sessions/${name}/save`, {});
    expect(refused.status).toBe(409);
    expect(errorOf(refused)).toMatch(
      /not UTF-8 text \(text in another encoding, such as Latin-1.*a save would write over it/,
    );
    expect(readFileSync(file)).toEqual(latin1);
    const three = await call(`/api/sessions/${name}/commands/conflict`, {});
    expect(errorOf(three)).toMatch(/not UTF-8 text.*iconv.*resolve take=buffer/);
    const takeDisk = await call(`/api/sessions/${name}/commands/resolve`, { take: "disk" });
    expect(errorOf(takeDisk)).toMatch(/cannot be taken into the editor/);
    expect((await call(`/api/sessions/${name}/commands/resolve`, { take: "buffer" })).status).toBe(200);
    expect((await call(`/api/sessions/${name}/save`, {})).status).toBe(200);
    expect(readFileSync(file, "utf8")).toBe("my café\n");

    // A clean file replaced by one past the limit (100000 bytes here) is not loaded into the
    // document: the buffer keeps the text it had, and says why.
    const grown = join(root, "grown.log");
    writeFileSync(grown, "small\n");
    const log = ((await open(grown)).body.session as { name: string }).name;
    writeFileSync(grown, "x".repeat(150_000));
    await waitFor(async () => (await fileStatus(log)) === "conflict");
    expect((await textOf(log)).text).toBe("small\n");
  });

  it("opens a file a project declares beside its dispatch.toml, and `down` keeps its unsaved edits", async () => {
    const project = join(root, "my project");
    mkdirSync(project);
    writeFileSync(
      join(project, "dispatch.toml"),
      'project = "notes"\n\n[[session]]\nname = "todo"\nkind = "editor"\noptions = { path = "TODO.md", create = true }\n',
    );
    const up = await hub.cli(["up", "--file", join(project, "dispatch.toml")]);
    expect(up.code, up.stderr).toBe(0);
    const session = (await call("/api/sessions/todo")).body.session as { options?: { path?: string } };
    expect(session.options?.path).toBe(join(project, "TODO.md"));
    await call("/api/sessions/todo/edits", { edits: [{ from: 0, to: 0, insert: "- ship it\n" }] });
    expect((await call("/api/sessions/todo/save", {})).status).toBe(200);
    expect(readFileSync(join(project, "TODO.md"), "utf8")).toBe("- ship it\n");

    // `down` removes the project's sessions with their logs: not an editor's unsaved edits.
    await call("/api/sessions/todo/edits", { edits: [{ from: 0, to: 0, insert: "- test it\n" }] });
    await waitFor(async () => (await fileStatus("todo")) === "dirty");
    const refused = await hub.cli(["down", "--project", "notes"]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/unsaved edits to .*TODO\.md.*dispatch save todo/);
    expect((await textOf("todo")).text).toBe("- test it\n- ship it\n");
    expect((await call("/api/sessions/todo/save", {})).status).toBe(200);
    await waitFor(async () => (await fileStatus("todo")) === "clean");
    const down = await hub.cli(["down", "--project", "notes"]);
    expect(down.code, down.stdout).toBe(0);
    expect(readFileSync(join(project, "TODO.md"), "utf8")).toBe("- test it\n- ship it\n");
  });

  it("lets a read-only share link read the text and its history, and refuses its edits", async () => {
    writeFileSync(join(root, "shared.txt"), "v1\n");
    const name = ((await open("shared.txt")).body.session as { name: string }).name;
    await call(`/api/sessions/${name}/edits`, { edits: [{ from: 1, to: 2, insert: "2" }], client: "ada" });
    const shared = await call(`/api/sessions/${name}/share`, {});
    const token = String(shared.body.url).split("/share/")[1] as string;
    const asViewer = (path: string, body: unknown) =>
      fetch(`${hub.url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const cat = await hub.cli(["cat", name], { env: { DISPATCH_KEY: token } });
    expect(cat.stderr).toBe("");
    expect(cat.stdout).toBe("v2\n");
    const history = await asViewer(`/api/sessions/${name}/commands/history`, {});
    expect(history.status).toBe(200);
    const { changes } = ((await history.json()) as { result: { changes: { seq: number; client: string }[] } })
      .result;
    expect(changes.map((c) => c.client)).toEqual(["disk", "ada"]);
    const at = await asViewer(`/api/sessions/${name}/commands/at`, { seq: changes[0]?.seq });
    expect(((await at.json()) as { result: { text: string } }).result.text).toBe("v1\n");
    for (const [path, body] of [
      [`/api/sessions/${name}/edits`, { edits: [{ from: 0, to: 0, insert: "x" }] }],
      [`/api/sessions/${name}/commands/edits`, { edits: [{ from: 0, to: 0, insert: "x" }] }],
      [`/api/sessions/${name}/save`, {}],
    ] as const) {
      expect((await asViewer(path, body)).status, path).toBe(403);
    }
    expect((await textOf(name)).text).toBe("v2\n");
  });

  it("refuses malformed updates and keeps the document intact", async () => {
    writeFileSync(join(root, "intact.txt"), "intact\n");
    const name = ((await open("intact.txt")).body.session as { name: string }).name;
    for (const update of [
      "not base64!",
      Buffer.from([5, 200, 1, 1, 1]).toString("base64"),
      Buffer.from([1, 2, 3, 200, 255]).toString("base64"),
    ]) {
      const reply = await call(`/api/sessions/${name}/commands/update`, { update });
      expect(reply.status, update).toBe(400);
    }
    // Through the page's fast path (input), garbage is dropped too.
    await call(`/api/sessions/${name}/input`, { data: "{not json" });
    await call(`/api/sessions/${name}/input`, {
      data: JSON.stringify({ type: "update", update: "////", client: "x" }),
    });
    expect((await textOf(name)).text).toBe("intact\n");
    expect(
      (await call(`/api/sessions/${name}/edits`, { edits: [{ from: 0, to: 99, insert: "" }] })).status,
    ).toBe(400);
    expect((await textOf(name)).text).toBe("intact\n");
  });

  it("converges after 1,000 small concurrent edits from two clients, and the saved file equals every view", async () => {
    writeFileSync(join(root, "race.txt"), "start\n");
    const name = ((await open("race.txt")).body.session as { name: string }).name;
    const a = await peer(name, "alice");
    const b = await peer(name, "bob");
    await waitFor(() => a.text === "start\n" && b.text === "start\n");
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 500; i++) {
      for (const [p, tag] of [
        [a, "a"],
        [b, "b"],
      ] as const) {
        const text = p.doc.getText("text");
        if (random() < 0.2 && text.length > 10) text.delete(Math.floor(random() * (text.length - 1)), 1);
        else text.insert(Math.floor(random() * (text.length + 1)), tag);
      }
    }
    const { text: final, seq } = await waitFor(
      async () => {
        const server = await textOf(name);
        return server.text === a.text && server.text === b.text ? server : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(final.length).toBeGreaterThan(500);
    // The host answers `text` at once; its events reach the hub's log behind it (under load,
    // by seconds). The snapshot follows the stored log, so wait for the log to hold them all.
    await waitFor(
      async () => {
        const session = (await call(`/api/sessions/${name}`)).body.session as { lastSeq: number };
        return session.lastSeq >= seq;
      },
      { timeoutMs: 30_000 },
    );
    // A newcomer starts from the hub's snapshot of the document, not from the whole log.
    const late = await peer(name, "carol", true);
    // The snapshot follows the `attached` reply on the socket, maybe in a later read.
    const snapshotSeq = await waitFor(() => late.snapshotSeq || undefined, {
      message: "the document snapshot",
    });
    expect(snapshotSeq).toBeGreaterThan(500);
    await waitFor(() => late.text === final);
    expect((await call(`/api/sessions/${name}/save`, {})).status).toBe(200);
    expect(readFileSync(join(root, "race.txt"), "utf8")).toBe(final);
  });

  it("moves REST edits made against an older seq over concurrent typing, or refuses them with 409", async () => {
    writeFileSync(join(root, "rebase.txt"), "line one\nline two\nline three\nEND\n");
    const name = ((await open("rebase.txt")).body.session as { name: string }).name;
    const alice = await peer(name, "alice");
    await waitFor(() => alice.text.endsWith("END\n"));
    const typed = async (change: () => void) => {
      const before = (await textOf(name)).seq;
      change();
      await waitFor(async () => ((await textOf(name)).seq > before ? true : undefined));
    };
    // A script reads the text, then someone types above and inside it before the script's edit.
    const read = await textOf(name);
    const at = (word: string) => read.text.indexOf(word);
    await typed(() => alice.doc.getText("text").insert(0, "// header\n"));
    await typed(() => alice.doc.getText("text").insert(alice.text.indexOf("three") + 5, "!"));
    const moved = await call(`/api/sessions/${name}/edits`, {
      baseSeq: read.seq,
      edits: [
        { from: at("two"), to: at("two") + 3, insert: "2" },
        { from: at("END"), to: at("END"), insert: "(script)" },
      ],
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const expected = "// header\nline one\nline 2\nline three!\n(script)END\n";
    expect((await textOf(name)).text).toBe(expected);
    await waitFor(() => alice.text === expected);

    // Replacing text someone changed since is refused, and nothing of the request is applied.
    const stale = await textOf(name);
    await typed(() => {
      const text = alice.doc.getText("text");
      const one = alice.text.indexOf("one");
      alice.doc.transact(() => {
        text.delete(one, 3);
        text.insert(one, "ONE");
      });
    });
    const refused = await call(`/api/sessions/${name}/edits`, {
      baseSeq: stale.seq,
      edits: [
        { from: 0, to: 0, insert: "lost?" },
        { from: stale.text.indexOf("one"), to: stale.text.indexOf("one") + 3, insert: "1" },
      ],
    });
    expect(refused.status).toBe(409);
    expect(String((refused.body.error as { message: string }).message)).toMatch(
      /since seq \d+; read the text again/,
    );
    expect((await textOf(name)).text).toBe(expected.replace("one", "ONE"));
    const ahead = await call(`/api/sessions/${name}/edits`, {
      baseSeq: stale.seq + 10_000,
      edits: [{ from: 0, to: 0, insert: "x" }],
    });
    expect(ahead.status).toBe(400);

    // Ten rounds of read, concurrent typing, then an edit at the read's positions.
    for (let i = 0; i < 10; i++) {
      const base = await textOf(name);
      await typed(() => alice.doc.getText("text").insert(0, `~${i}`));
      const end = base.text.indexOf("END");
      const reply = await call(`/api/sessions/${name}/edits`, {
        baseSeq: base.seq,
        edits: [{ from: end, to: end, insert: `[${i}]` }],
      });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    }
    const final = (await textOf(name)).text;
    expect(final).toContain("[0][1][2][3][4][5][6][7][8][9]END");
    expect(final.startsWith("~9~8~7~6~5~4~3~2~1~0// header")).toBe(true);
    await waitFor(() => alice.text === final);
  });

  it("loses no acknowledged edit when the hub is SIGKILLed mid-typing", async () => {
    writeFileSync(join(root, "crash.txt"), "");
    const name = ((await open("crash.txt")).body.session as { name: string }).name;
    const acknowledged: string[] = [];
    let stop = false;
    const typing = (async () => {
      for (let i = 0; !stop && i < 2000; i++) {
        const word = `w${i};`;
        try {
          const reply = await hub.api(`/api/sessions/${name}/edits`, {
            method: "POST",
            body: JSON.stringify({ edits: [{ from: 0, to: 0, insert: word }] }),
          });
          if (reply.ok) acknowledged.push(word);
        } catch {
          // The hub is down; the edit was not acknowledged.
        }
      }
    })();
    await waitFor(() => acknowledged.length >= 20);
    process.kill(hub.pids().hub as number, "SIGKILL");
    await waitFor(() => hub.pids().hub === undefined || !isAlive(hub.pids().hub as number));
    const restarted = await hub.cli(["start", "--port", String(hub.port)]);
    expect(restarted.code, restarted.stderr).toBe(0);
    const before = acknowledged.length;
    await waitFor(() => acknowledged.length >= before + 20, { timeoutMs: 20_000 });
    stop = true;
    await typing;
    const { text } = await textOf(name);
    for (const word of acknowledged) expect(text).toContain(word);
    // And the log holds them all: the text rebuilt from the stored events is the same.
    const last = (await textOf(name)).seq;
    const rebuilt = (await call(`/api/sessions/${name}/commands/at`, { seq: last })).body.result as {
      text: string;
    };
    expect(rebuilt.text).toBe(text);
  });

  it("edits a file on a remote host, inside its default root (its home), and saves it there", async () => {
    // Through the API: the CLI's token verbs are test/hosts.test.ts's, and each call is a Node boot.
    const token = await call("/api/hosts/far/token", {});
    expect(token.status, JSON.stringify(token.body)).toBe(201);
    const home = mkdtempSync(join(tmpdir(), "dispatch-editor-remote-"));
    const child = spawn(
      process.execPath,
      [BIN, "host", "--hub", hub.url, "--token", String(token.body.token), "--name", "far"],
      {
        env: cleanEnv({ DISPATCH_HOME: join(home, ".dispatch"), HOME: home }),
        cwd: REPO_ROOT,
        stdio: "ignore",
      },
    );
    remote = { child, home };
    await waitFor(
      async () => {
        const hosts = (await call("/api/hosts")).body.hosts as { name: string; status: string }[];
        return hosts.some((h) => h.name === "far" && h.status === "connected");
      },
      { timeoutMs: 20_000, message: "remote host online" },
    );
    const outsideHome = await call("/api/sessions", { kind: "editor", host: "far", options: { path: root } });
    expect(outsideHome.status).toBe(403);
    const created = await call("/api/sessions", {
      kind: "editor",
      host: "far",
      name: "far-notes",
      options: { path: "notes.md", create: true },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await call("/api/sessions/far-notes/edits", { edits: [{ from: 0, to: 0, insert: "# far away\n" }] });
    const saved = await hub.cli(["save", "far-notes"]);
    expect(saved.code, saved.stderr).toBe(0);
    expect(readFileSync(join(home, "notes.md"), "utf8")).toBe("# far away\n");
    // Its file browser lists its own root, by the remote host's rules.
    const listing = await call("/api/files?host=far");
    expect(listing.status, JSON.stringify(listing.body)).toBe(200);
    expect(listing.body.path).toBe(realpathSync(home));
    expect((listing.body.entries as { name: string }[]).map((e) => e.name)).toContain("notes.md");
    const farEscape = await call(`/api/files?host=far&path=${encodeURIComponent(root)}`);
    expect(farEscape.status).toBe(403);
  });

  it("keeps the edits of a session whose host was lost, and saves them on revive", async () => {
    const file = join(root, "lost.txt");
    writeFileSync(file, "kept?\n");
    const name = ((await open("lost.txt")).body.session as { name: string }).name;
    await call(`/api/sessions/${name}/edits`, { edits: [{ from: 5, to: 5, insert: " yes" }] });
    const hostPid = hub.pids().host as number;
    process.kill(hostPid, "SIGKILL");
    await waitFor(
      async () =>
        ((await call(`/api/sessions/${name}`)).body.session as { status: string }).status === "exited",
      { timeoutMs: 20_000, message: "host lost" },
    );
    expect(readFileSync(file, "utf8")).toBe("kept?\n");
    const revived = await hub.cli(["revive", name]);
    expect(revived.code, revived.stderr).toBe(0);
    await waitFor(() => readFileSync(file, "utf8") === "kept? yes\n");
    expect((await textOf(name)).text).toBe("kept? yes\n");
    await waitFor(async () => (await fileStatus(name)) === "clean");
  });
});

function errorOf(reply: { body: Record<string, unknown> }): string {
  return String((reply.body.error as { message?: string } | undefined)?.message);
}
