import { describe, expect, it } from "vitest";
import type { SessionInfo } from "../protocol/session.js";
import { foregroundText, formatBytes, formatSessionTable, statusText } from "./sessionTable.js";
import { formatVerboseTable } from "./verboseTable.js";

const NOW = 1_700_000_000_000;

function session(overrides: Partial<SessionInfo>): SessionInfo {
  return {
    id: "0123456789abcdef",
    name: "brisk-otter",
    kind: "terminal",
    host: "local",
    status: "running",
    exitCode: null,
    reason: null,
    command: [],
    cwd: "/tmp",
    cols: 80,
    rows: 24,
    pid: 42,
    foreground: null,
    createdAt: NOW - 3 * 3600_000,
    lastActivityAt: NOW - 5_000,
    lastSeq: 10,
    bytes: 2048,
    preview: "",
    ...overrides,
  };
}

describe("session table", () => {
  it("shows idle for a running shell and the exit code for an ended one", () => {
    expect(foregroundText(session({}))).toBe("idle");
    expect(foregroundText(session({ foreground: "npm test" }))).toBe("npm test");
    expect(statusText(session({ status: "exited", exitCode: 3 }))).toBe("exited (3)");
    expect(foregroundText(session({ status: "exited", exitCode: 3 }))).toBe("-");
    expect(statusText(session({ status: "failed", reason: "no such file" }))).toBe("failed (no such file)");
  });

  it("says when a running session's host is away, so typing to it cannot work", () => {
    expect(statusText(session({ reachable: false }))).toBe("running (host away)");
    expect(statusText(session({ reachable: true }))).toBe("running");
    expect(statusText(session({ reachable: false, status: "exited", exitCode: 0 }))).toBe("exited (0)");
  });

  it("ls and ls --verbose agree on status and foreground", () => {
    const sessions = [
      session({ name: "shell" }),
      session({ name: "loop", foreground: "sh -c while true; do date; sleep 0.2; done" }),
      session({ name: "done", status: "exited", exitCode: 3 }),
      session({
        name: "agent",
        kind: "agent",
        foreground: "claude",
        agent: { state: "waiting", message: "approve?", source: "hook", at: NOW },
      } as Partial<SessionInfo>),
    ];
    const cells = (table: string, name: string, columns: string[]) => {
      const [header, ...rows] = table.split("\n");
      const row = rows.find((r) => r.includes(` ${name} `) || r.startsWith(`${name} `)) ?? "";
      return columns.map((column) => {
        const at = (header as string).indexOf(column);
        const next = (header as string).slice(at + column.length).search(/\S/) + at + column.length;
        return row.slice(at, next).trim();
      });
    };
    const plain = formatSessionTable(sessions, { now: NOW });
    const verbose = formatVerboseTable(sessions, { now: NOW });
    for (const name of ["shell", "loop", "done", "agent"]) {
      expect(cells(verbose, name, ["STATUS", "FOREGROUND"])).toEqual(
        cells(plain, name, ["STATUS", "FOREGROUND"]),
      );
    }
    expect(cells(verbose, "loop", ["FOREGROUND"])[0]).toContain("sh -c while");
    expect(cells(verbose, "shell", ["STATUS", "FOREGROUND"])).toEqual(["running", "idle"]);
  });

  it("aligns columns under the headers", () => {
    const text = formatSessionTable(
      [session({}), session({ name: "build", status: "exited", exitCode: 0, bytes: 5 * 1024 * 1024 })],
      { now: NOW },
    );
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^NAME\s+KIND\s+STATUS\s+FOREGROUND\s+AGE\s+ACTIVE\s+BYTES$/);
    expect(lines[1]).toMatch(/^brisk-otter\s+terminal\s+running\s+idle\s+3h\s+5s ago\s+2\.0K$/);
    expect(lines[2]).toMatch(/^build\s+terminal\s+exited \(0\)\s+-\s+3h\s+5s ago\s+5\.0M$/);
    expect(lines[1]?.indexOf("terminal")).toBe(lines[0]?.indexOf("KIND"));
  });

  it("names each session's host once sessions run on more than one", () => {
    const oneHost = formatSessionTable([session({}), session({ name: "build" })], { now: NOW });
    expect(oneHost.split("\n")[0]).not.toContain("HOST");
    const lines = formatSessionTable([session({}), session({ name: "rem", host: "box1" })], {
      now: NOW,
    }).split("\n");
    expect(lines[0]).toMatch(/^NAME\s+KIND\s+HOST\s+STATUS\s/);
    expect(lines[1]).toMatch(/^brisk-otter\s+terminal\s+local\s+running\s/);
    expect(lines[2]).toMatch(/^rem\s+terminal\s+box1\s+running\s/);
  });

  it("names each session's project once they are not all of one", () => {
    const oneProject = formatSessionTable(
      [session({ project: "shop" }), session({ name: "db", project: "shop" })],
      { now: NOW },
    );
    expect(oneProject.split("\n")[0]).not.toContain("PROJECT");
    const lines = formatSessionTable(
      [
        session({ project: "shop" }),
        session({ name: "scratch" }),
        session({ name: "rem", host: "box1", project: "blog" }),
      ],
      { now: NOW },
    ).split("\n");
    expect(lines[0]).toMatch(/^NAME\s+PROJECT\s+KIND\s+HOST\s+STATUS\s/);
    expect(lines[1]).toMatch(/^brisk-otter\s+shop\s+terminal\s+local\s+running\s/);
    expect(lines[2]).toMatch(/^scratch\s+-\s+terminal\s+local\s+running\s/);
    expect(lines[3]).toMatch(/^rem\s+blog\s+terminal\s+box1\s+running\s/);
  });

  it("formats byte counts", () => {
    expect(formatBytes(0)).toBe("0B");
    expect(formatBytes(1536)).toBe("1.5K");
    expect(formatBytes(20 * 1024 * 1024)).toBe("20M");
  });
});

describe("a long failure reason", () => {
  it("is cut in the STATUS column so the table keeps its width", () => {
    const reason = "agent profile 'claude' needs the claude command on PATH; install it first";
    const table = formatSessionTable([session({ status: "failed", reason })], { now: NOW });
    const [header, row] = table.split("\n");
    expect(row).toContain("failed (agent profile 'claude' …");
    expect(row).not.toContain("install it first");
    expect(row?.length).toBeLessThanOrEqual((header?.length ?? 0) + 2);
  });
});

describe("ls BYTES", () => {
  it("shows what the log holds now when the hub says so, else all output", () => {
    const compacted = session({ bytes: 5 * 1024 * 1024, storedBytes: 600 * 1024 });
    expect(formatSessionTable([compacted], { now: NOW })).toMatch(/600K$/m);
    expect(formatVerboseTable([compacted], { now: NOW })).toMatch(/ 600K\b/);
    expect(formatSessionTable([session({ bytes: 2048 })], { now: NOW })).toMatch(/2\.0K$/m);
  });
});

describe("ls --verbose on a narrow terminal", () => {
  const sessions = [
    session({
      name: "a-rather-long-session-name",
      foreground: "node scripts/build.js --watch --verbose --config build.config.json",
      preview: "compiled 412 modules in 3.2s; watching src/ for changes (press q to quit)",
    }),
    session({ name: "done", status: "failed", reason: "agent profile 'claude' needs the claude command" }),
  ];

  it("fits every line to the width, cutting the free-text columns with …", () => {
    for (const width of [120, 100, 80, 60]) {
      const lines = formatVerboseTable(sessions, { now: NOW, width }).split("\n");
      for (const line of lines) expect([...line].length).toBeLessThanOrEqual(width);
      if (width >= 100)
        expect(lines[0]).toMatch(/NAME .*STATUS .*FOREGROUND .*EVENTS .*BYTES .*LAST OUTPUT$/);
      else if (width >= 80) expect(lines[0]).toMatch(/NAME .*STATUS .*FOREGROUND .*EVENTS BYTES$/);
    }
    const narrow = formatVerboseTable(sessions, { now: NOW, width: 80 });
    expect(narrow).toContain("…");
    expect(narrow).toContain("2.0K");
    expect(narrow).toContain("a-rather");
  });

  it("leaves LAST OUTPUT out rather than cut every other column when even that does not fit", () => {
    const lines = formatVerboseTable(sessions, { now: NOW, width: 70 }).split("\n");
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(70);
    expect(lines[0]).toMatch(/NAME .*HOST .*STATUS .*FOREGROUND .*EVENTS BYTES$/);
    expect(lines[1]).toContain(" local ");
    expect(lines[1]).toContain(" running ");
  });

  it("cuts nothing when there is room, or when no width is known (a pipe)", () => {
    const wide = formatVerboseTable(sessions, { now: NOW, width: 400 });
    expect(wide).toBe(formatVerboseTable(sessions, { now: NOW }));
    expect(wide).toContain("(press q to quit)");
  });
});
