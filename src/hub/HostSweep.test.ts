/**
 * What becomes of hosts with time alone, seen through the host monitor as a restarted hub holds
 * it: a host that was connected shows `reconnecting` for the grace, then `disconnected`; a
 * remote host away longer than the orphan TTL has its running sessions orphaned, while the
 * local host's are left alone. Real SQLite store and session directory; the clock is vitest's,
 * so a day of waiting takes none.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sessionRecord } from "../../test/sessionRecord.js";
import { SqliteStore } from "../store/sqlite/SqliteStore.js";
import { AuditTrail } from "./AuditTrail.js";
import { HostMonitor } from "./HostMonitor.js";
import { HubEvents } from "./HubEvents.js";
import { SessionDirectory } from "./SessionDirectory.js";

const MINUTE = 60_000;

describe("hosts over time, with no word from them", () => {
  let dir: string;
  let store: SqliteStore;
  let monitor: HostMonitor | undefined;

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    dir = mkdtempSync(join(tmpdir(), "dispatch-host-sweep-"));
    store = SqliteStore.open(join(dir, "db"));
  });

  afterEach(() => {
    monitor?.dispose();
    monitor = undefined;
    vi.useRealTimers();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A remote host as a hub that stopped left it on disk, last seen now. */
  function storedHost(name: string, lastStatus: string): void {
    store.hosts.ensure(name, name);
    store.hosts.save(name, { lastStatus }, Date.now());
  }

  /** The hub starting again over the store: its directory and host monitor. */
  function restart(orphanTtlMs: number): SessionDirectory {
    const directory = new SessionDirectory(store, (host) => monitor?.isConnected(host) ?? false);
    const logger = pino({ level: "silent" });
    const bus = new HubEvents();
    const audit = new AuditTrail(store, () => undefined);
    monitor = new HostMonitor({ directory, store, audit, bus, logger, heartbeatMs: 2_000, orphanTtlMs });
    return directory;
  }

  it("shows a host that was connected as reconnecting for a minute, then disconnected", () => {
    storedHost("box", "connected");
    restart(24 * 60 * MINUTE);
    const hosts = monitor as HostMonitor;
    expect(hosts.get("box").status).toBe("reconnecting");
    vi.advanceTimersByTime(MINUTE / 2);
    expect(hosts.get("box").status).toBe("reconnecting");
    vi.advanceTimersByTime(MINUTE / 2);
    expect(hosts.get("box").status).toBe("disconnected");
    // The change is kept: the next start shows it away, not reconnecting again.
    expect(store.hosts.get("box")?.info.lastStatus).toBe("disconnected");
  });

  it("orphans a remote host's running sessions once it has been away the orphan TTL", () => {
    storedHost("box", "disconnected");
    store.insertSession(sessionRecord({ id: "remote-1", host: "box" }));
    store.insertSession(sessionRecord({ id: "local-1", host: "local" }));
    const directory = restart(10 * MINUTE);
    vi.advanceTimersByTime(9 * MINUTE);
    expect(directory.get("remote-1")?.status).toBe("running");
    vi.advanceTimersByTime(2 * MINUTE);
    expect(directory.get("remote-1")).toMatchObject({
      status: "orphaned",
      reason: "its host has been gone too long",
    });
    expect(store.getSession("remote-1")?.status).toBe("orphaned");
    // The local host is the hub's own: its sessions wait for it however long it takes.
    expect(directory.get("local-1")?.status).toBe("running");
  });
});
