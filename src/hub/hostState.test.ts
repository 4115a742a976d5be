import { describe, expect, it } from "vitest";
import { notConnectedError, restoredStatus } from "./hostState.js";

describe("notConnectedError", () => {
  const now = 1_000_000_000;

  it("asks to try again when the host dropped a moment ago", () => {
    const err = notConnectedError({ name: "gpu", kind: "remote", lastSeen: now - 3_000 }, now);
    expect(err.code).toBe("host_unavailable");
    expect(err.message).toBe("host 'gpu' is not connected right now; try again shortly");
  });

  it("says how long a remote host has been away and what to do about its sessions", () => {
    const err = notConnectedError({ name: "gpu", kind: "remote", lastSeen: now - 5 * 60_000 }, now);
    expect(err.message).toContain("host 'gpu' is not connected (last seen 5m ago)");
    expect(err.message).toContain("dispatch hosts cleanup gpu --force");
    expect(err.message).not.toContain("try again shortly");
  });

  it("keeps the short answer for the local host, which the hub starts itself", () => {
    const err = notConnectedError({ name: "local", kind: "local", lastSeen: now - 5 * 60_000 }, now);
    expect(err.message).toContain("try again shortly");
  });
});

describe("restoredStatus", () => {
  it("keeps a host that was away away across a hub restart, and expects a connected one back", () => {
    expect(restoredStatus("connected")).toBe("reconnecting");
    expect(restoredStatus("disconnected")).toBe("disconnected");
    expect(restoredStatus("failed")).toBe("failed");
    expect(restoredStatus(undefined)).toBe("unknown");
  });
});
