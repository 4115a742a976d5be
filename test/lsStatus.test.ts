/**
 * What `dispatch ls` says is true: a loop run as the session's command shows as running that
 * command (not idle), in `ls` and `ls --verbose` alike; BYTES is what the log holds after
 * retention compacted it, as `/api/status` reports, and `dispatch` with no arguments and no
 * terminal shows the same; `ls --verbose` fits a narrow terminal.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatBytes } from "../src/cli/sessionTable.js";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";

let hub: HubHandle;

beforeAll(async () => {
  hub = await startHub({
    env: { DISPATCH_RETENTION_BYTES: String(256 * 1024), DISPATCH_SNAPSHOT_EVERY_BYTES: String(32 * 1024) },
  });
});

afterAll(async () => {
  await cleanupAll();
});

interface Listed {
  name: string;
  foreground: string | null;
  bytes: number;
  storedBytes?: number;
}

async function listed(): Promise<Listed[]> {
  const result = await hub.cli(["ls", "--json"]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Listed[];
}

function row(table: string, name: string): string {
  return table.split("\n").find((line) => new RegExp(`(^|\\s)${name}\\s`).test(line)) ?? "";
}

describe("dispatch ls", () => {
  it("shows a loop printing every 200 ms as running its command in ls and ls --verbose", async () => {
    const loop = "while true; do date; sleep 0.2; done";
    const created = await hub.cli(["new", "--name", "ticker", "--", "sh", "-c", loop]);
    expect(created.code, created.stderr).toBe(0);
    await waitFor(
      async () => (await listed()).find((s) => s.name === "ticker")?.foreground === `sh -c ${loop}`,
      {
        message: "the loop as the foreground",
      },
    );
    const plain = await hub.cli(["ls"]);
    expect(row(plain.stdout, "ticker")).toMatch(/running\s+sh -c while true/);
    const verbose = await hub.cli(["ls", "--verbose"]);
    expect(row(verbose.stdout, "ticker")).toMatch(/running\s+sh -c while true/);
    expect(row(verbose.stdout, "ticker")).not.toContain("idle");
  });

  it("BYTES is the output stored after compaction, and --verbose fits COLUMNS", async () => {
    const script = "i=0; while [ $i -lt 30000 ]; do i=$((i+1)); echo stored-line-$i; done; sleep 600";
    const created = await hub.cli(["new", "--name", "bulk", "--", "sh", "-c", script]);
    expect(created.code, created.stderr).toBe(0);
    const compacted = await waitFor(
      async () => {
        const bulk = (await listed()).find((s) => s.name === "bulk");
        return bulk?.storedBytes !== undefined && bulk.bytes > 400_000 && bulk.storedBytes < bulk.bytes / 2
          ? bulk
          : undefined;
      },
      { timeoutMs: 60_000, message: "compaction behind a snapshot" },
    );
    // Once the loop is done the figures hold still, though a last compaction may still land:
    // the tables are read between two listings that agree with /api/status.
    const { settled, table, byHost, bare } = await waitFor(
      async () => {
        const before = (await listed()).find((s) => s.name === "bulk");
        const status = await hub.api("/api/status").then((r) => r.json());
        const stored = status.sessions.bytes.find((b: { name: string }) => b.name === "bulk").stored;
        const table = await hub.cli(["ls"]);
        // The host's view of its sessions counts the same bytes.
        const byHost = await hub.cli(["ls", "--host", "local"]);
        // `dispatch` alone, through a pipe: the picker's table for scripts.
        const bare = await hub.cli([]);
        const after = (await listed()).find((s) => s.name === "bulk");
        return before?.storedBytes === stored && after?.storedBytes === stored && after.bytes === before.bytes
          ? { settled: after, table, byHost, bare }
          : undefined;
      },
      { timeoutMs: 30_000, message: "ls and /api/status to agree" },
    );
    expect(settled.bytes).toBeGreaterThanOrEqual(compacted.bytes);
    expect(
      row(table.stdout, "bulk")
        .trimEnd()
        .endsWith(` ${formatBytes(settled.storedBytes as number)}`),
    ).toBe(true);
    expect(formatBytes(settled.storedBytes as number)).not.toBe(formatBytes(settled.bytes));
    expect(byHost.code, byHost.stderr).toBe(0);
    expect(
      row(byHost.stdout, "bulk")
        .trimEnd()
        .endsWith(` ${formatBytes(settled.storedBytes as number)}`),
    ).toBe(true);
    expect(bare.code, bare.stderr).toBe(0);
    expect(bare.stderr).toBe("");
    expect(
      row(bare.stdout, "bulk")
        .trimEnd()
        .endsWith(` ${formatBytes(settled.storedBytes as number)}`),
    ).toBe(true);

    for (const columns of [60, 80]) {
      const narrow = await hub.cli(["ls", "--verbose"], { env: { COLUMNS: String(columns) } });
      expect(narrow.code, narrow.stderr).toBe(0);
      const lines = narrow.stdout.trimEnd().split("\n");
      expect(lines.length).toBe(3);
      for (const line of lines) expect([...line].length).toBeLessThanOrEqual(columns);
      expect(narrow.stdout).toContain("…");
    }
  });
});
