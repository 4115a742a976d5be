import { describe, expect, it } from "vitest";
import type { SessionInfo } from "../protocol/session.js";
import { foregroundText, formatBytes, formatSessionTable, statusText } from "./sessionTable.js";

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

  it("aligns columns under the headers", () => {
    const text = formatSessionTable(
      [session({}), session({ name: "build", status: "exited", exitCode: 0, bytes: 5 * 1024 * 1024 })],
      NOW,
    );
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^NAME\s+KIND\s+STATUS\s+FOREGROUND\s+AGE\s+ACTIVE\s+BYTES$/);
    expect(lines[1]).toMatch(/^brisk-otter\s+terminal\s+running\s+idle\s+3h\s+5s ago\s+2\.0K$/);
    expect(lines[2]).toMatch(/^build\s+terminal\s+exited \(0\)\s+-\s+3h\s+5s ago\s+5\.0M$/);
    expect(lines[1]?.indexOf("terminal")).toBe(lines[0]?.indexOf("KIND"));
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
    const table = formatSessionTable([session({ status: "failed", reason })], NOW);
    const [header, row] = table.split("\n");
    expect(row).toContain("failed (agent profile 'claude' …");
    expect(row).not.toContain("install it first");
    expect(row?.length).toBeLessThanOrEqual((header?.length ?? 0) + 2);
  });
});
