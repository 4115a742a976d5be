/**
 * After a failed commit, asks the hosts to resend what was not stored: a failed batch is
 * dropped (its hosts still hold it), so its sessions wait for their hosts to replay from where
 * the store ends. While storage fails with nothing waiting (a record write failed), a probe
 * write tells when it heals. It also sends the `sync` a host waits for after its hello (it
 * sends nothing before): at once, or, when the store cannot say where it ends, with the resends.
 * The intake owns one and reports each failure and success to it.
 */
import type { Store } from "../store/Store.js";
import type { HostAcks } from "./HostAcks.js";
import type { HostLinks } from "./HostMonitor.js";
import type { SessionDirectory } from "./SessionDirectory.js";
import type { StorageHealth } from "./StorageHealth.js";
import type { StoreWriter } from "./StoreWriter.js";
import { testOnlyPause } from "./testPause.js";

/**
 * After a failed commit, hosts are asked to resend this soon (the failure may be a blip), then
 * at doubling intervals up to the cap while storage keeps failing: each attempt costs a replay
 * of what the hosts hold, so a long outage is not a busy loop.
 */
const RESEND_FIRST_DELAY_MS = 100;
const RESEND_MAX_DELAY_MS = 5_000;
/**
 * The pauses: test-only, `DISPATCH_TEST_RESEND_PAUSE_MS` makes every pause that long, so a
 * test can tell a resend that came without waiting (the store reconnected) from one that
 * waited out its pause.
 */
function resendPauses(env: NodeJS.ProcessEnv = process.env): { firstMs: number; maxMs: number } {
  const pause = testOnlyPause("DISPATCH_TEST_RESEND_PAUSE_MS", env);
  if (pause === undefined) return { firstMs: RESEND_FIRST_DELAY_MS, maxMs: RESEND_MAX_DELAY_MS };
  return { firstMs: pause, maxMs: pause };
}

export interface ResendRequestsOptions {
  store: Store;
  directory: SessionDirectory;
  hosts: HostLinks;
  health: StorageHealth;
  writer: StoreWriter;
  acks: HostAcks;
  /** Runs first on each resend: what the intake itself retries (a lost session's `exit`). */
  beforeResend?: () => void;
}

export class ResendRequests {
  private timer: NodeJS.Timeout | undefined;
  /**
   * Hosts still to be told where the store ends (`sync`): those with a session waiting, and
   * those whose hello met a failing store, with the sessions they said they run.
   */
  private readonly unsynced = new Map<string, readonly string[] | undefined>();
  private readonly pauses = resendPauses();
  private delayMs = this.pauses.firstMs;

  constructor(private readonly options: ResendRequestsOptions) {}

  /** A write failed: ask again after the current pause (once per pause, however many failed). */
  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.resend();
    }, this.delayMs);
    this.delayMs = Math.min(this.delayMs * 2, this.pauses.maxMs);
  }

  /** A batch was committed: storage works, the next failure starts from the short pause. */
  committed(): void {
    if (!this.options.health.ok || this.delayMs !== this.pauses.firstMs) this.recovered();
  }

  /**
   * The store's connection is open again after a loss: what waits goes now, not at the end of
   * the current pause (up to `RESEND_MAX_DELAY_MS` into an outage), so storage is ok and the
   * held output stored as soon as the server answers.
   */
  now(): void {
    const { health, writer } = this.options;
    if (!this.timer && health.ok && writer.awaitingResend.size === 0 && this.unsynced.size === 0) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.delayMs = this.pauses.firstMs;
    this.resend();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Tells a host that just said hello where the store ends for `sessions`, so it replays the
   * rest and then sends live events: it sends none before. While the store cannot say (it
   * fails), the host is told once it can, by the resends below.
   */
  syncHost(hostId: string, sessions: readonly string[]): void {
    this.unsynced.set(hostId, sessions);
    if (!this.syncHosts("reading seqs for a host's hello")) this.schedule();
  }

  /**
   * Asks each host with a session waiting (its failed batch) to resend from where the store
   * ends: the same `sync` a host gets after its hello, on the live link.
   */
  private resend(): void {
    const { directory, health, store, writer } = this.options;
    this.options.beforeResend?.();
    const waiting = writer.awaitingResend;
    if (waiting.size === 0 && this.unsynced.size === 0) {
      if (health.ok) return;
      try {
        store.probeWrite({ failedSince: health.status.since });
        this.recovered();
      } catch (err) {
        health.failed(err, "probe write");
        this.schedule();
      }
      return;
    }
    for (const id of waiting) {
      const host = directory.get(id)?.host;
      if (host) this.unsynced.set(host, undefined);
      else writer.reset(id);
    }
    this.syncHosts("reading seqs for a resend");
    // Until every waiting session is written again, keep asking (the resend may fail too).
    if (writer.awaitingResend.size > 0 || this.unsynced.size > 0) this.schedule();
  }

  /** Sends each host in `unsynced` its sync; false when the store could not say where it ends. */
  private syncHosts(where: string): boolean {
    const { directory, hosts, health, writer, acks } = this.options;
    try {
      for (const [hostId, sessions] of this.unsynced) {
        const link = hosts.link(hostId);
        // Not connected: its hello on reconnect brings the same sync.
        if (link) {
          const ids =
            sessions ?? directory.all().flatMap((record) => (record.host === hostId ? [record.id] : []));
          const sync: Record<string, number> = {};
          for (const id of ids) sync[id] = writer.resumeAfter(id);
          acks.send(link);
          link.send({ type: "sync", sessions: sync });
        }
        this.unsynced.delete(hostId);
      }
      return true;
    } catch (err) {
      health.failed(err, where);
      return false;
    }
  }

  private recovered(): void {
    this.delayMs = this.pauses.firstMs;
    this.options.health.succeeded();
  }
}
