import { describe, expect, it } from "vitest";
import { HostMessage, type HostSessionState } from "../protocol/host.js";
import { adoptedSession, kindOptionsOf } from "./adoption.js";

const running: HostSessionState = {
  id: "s1",
  kind: "terminal",
  pid: 4242,
  running: true,
  exitCode: null,
  lastSeq: 7,
  cols: 100,
  rows: 30,
  foreground: null,
  capabilities: ["resize"],
};
const told = {
  name: "build",
  command: ["make", "-j4"],
  cwd: "/src/app",
  createdAt: 1_700_000_000_000,
  project: { name: "app", declaration: "d1" },
};
const nothingTaken = () => false;

describe("adoptedSession", () => {
  it("keeps what the host was told: name, command, cwd, creation time and project", () => {
    const { record, renamed } = adoptedSession("local", { ...running, ...told }, nothingTaken);
    expect(renamed).toBeUndefined();
    expect(record).toMatchObject({
      id: "s1",
      name: "build",
      host: "local",
      status: "running",
      command: ["make", "-j4"],
      cwd: "/src/app",
      createdAt: 1_700_000_000_000,
      project: "app",
      meta: { adopted: true, declaration: "d1" },
    });
  });

  it("takes the next free variant of a name another session holds, and says why", () => {
    const taken = new Set(["build"]);
    const { record, renamed } = adoptedSession("local", { ...running, ...told }, (n) => taken.has(n));
    expect(record.name).toBe("build-2");
    expect(renamed).toContain("another session is named 'build'");
  });

  it("gives a generated name when an older host sent none, or one this hub refuses", () => {
    // A host protocol 2 hello: its sessions say nothing of names.
    const hello = HostMessage.parse({
      type: "hello",
      protocol: 2,
      host: {
        id: "box",
        name: "box",
        hostname: "box",
        os: "linux",
        arch: "x64",
        version: "0.0.9",
        pid: 1,
        capabilities: ["terminal"],
        labels: {},
      },
      sessions: [running],
    });
    if (hello.type !== "hello") throw new Error("not a hello");
    const old = adoptedSession("box", hello.sessions[0] as HostSessionState, nothingTaken);
    expect(old.record.name).toMatch(/^[a-z]+-[a-z]+$/);
    expect(old.record.command).toBeUndefined();
    expect(old.renamed).toContain("did not say its name");
    const odd = adoptedSession("box", { ...running, name: "Build Job" }, nothingTaken);
    expect(odd.record.name).toMatch(/^[a-z]+-[a-z]+$/);
    expect(odd.renamed).toContain("'Build Job' is not a valid name");
  });

  it("puts the kind's options back in the record's meta, the hub's own keys its own", () => {
    const agent = {
      profile: "reviewer",
      worktree: { repo: "/src", path: "/wt", branch: "b", base: "0123abc" },
    };
    const state = {
      ...running,
      ...told,
      kind: "agent",
      // A host's claim to the hub's bookkeeping is not taken.
      kindOptions: { agent, sandbox: true, adopted: false, capabilities: ["lies"] },
    };
    const { record } = adoptedSession("local", state, nothingTaken);
    expect(record.meta).toEqual({
      agent,
      sandbox: true,
      adopted: true,
      capabilities: ["resize"],
      declaration: "d1",
    });
    // And what the hub sends: the same part of a record's meta.
    expect(kindOptionsOf(record.meta)).toEqual({ agent, sandbox: true });
    // A host protocol 3 session says nothing of them: no options, as before.
    expect(adoptedSession("local", { ...running, ...told }, nothingTaken).record.meta).toEqual({
      adopted: true,
      capabilities: ["resize"],
      declaration: "d1",
    });
  });
});
