import { describe, expect, it } from "vitest";
import { sessionRecord } from "../../../test/sessionRecord.js";
import { workspaceKind } from "./index.js";

/** The options `describe` gives a workspace record with the kernel's last events folded in. */
function described(fields: Parameters<typeof sessionRecord>[0]) {
  const record = sessionRecord({
    kind: "workspace",
    meta: { workspace: { kernel: "python3", connection: "connected", health: "ok", execution: "idle" } },
    ...fields,
  });
  return workspaceKind.describe?.(record).options;
}

describe("workspace describe: an image's health", () => {
  it("is the heartbeat's while the session lives", () => {
    expect(described({ id: "w", status: "running" })).toMatchObject({ health: "ok", execution: "idle" });
  });

  it("is `stopped` for an image ended on purpose or with code 0", () => {
    expect(described({ id: "w", status: "exited", exitCode: 0, reason: "stopped" })).toMatchObject({
      connection: "disconnected",
      execution: "dead",
      health: "stopped",
    });
  });

  it("is `critical` when the kernel crashed, was killed, could not start, or its host was lost", () => {
    const ended = [
      { status: "exited", exitCode: 1, reason: "kernel exited with code 1" },
      { status: "exited", exitCode: null, reason: "kernel killed by SIGKILL" },
      { status: "exited", exitCode: null, reason: "host lost" },
      { status: "failed", exitCode: null, reason: "kernel 'x' exited with code 3 while starting" },
      { status: "orphaned", exitCode: null, reason: "its host has been gone too long" },
    ] as const;
    for (const fields of ended)
      expect(described({ id: "w", ...fields }), fields.reason).toMatchObject({ health: "critical" });
  });
});

describe("workspace describe: what the kernel is busy with, where a shell shows its command", () => {
  const foreground = (workspace: Record<string, unknown>, status: "running" | "exited" = "running") =>
    workspaceKind.describe?.(sessionRecord({ id: "w", kind: "workspace", status, meta: { workspace } }))
      .foreground;

  it("is busy while a cell runs, waiting for input at an input() prompt, nothing when idle", () => {
    expect(foreground({ execution: "busy" })).toBe("busy");
    expect(foreground({ execution: "starting" })).toBe("starting");
    expect(
      foreground({ execution: "busy", input: { id: "i", eval: "e", prompt: "who? ", password: false } }),
    ).toBe("waiting for input");
    expect(foreground({ execution: "idle" })).toBeNull();
    expect(foreground({ execution: "busy" }, "exited")).toBeUndefined();
  });
});
