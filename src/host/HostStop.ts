/**
 * A host's orderly stop, run once however often it is asked for: every session stopped, each
 * exit saying the host stopped it; a connected hub given a moment to store those ends; what it
 * has not acknowledged saved for the next host process (`SavedSessions`); then the hub told
 * and `onShutdown` called. Kept apart from `HostDaemon` because the daemon only routes the
 * hub's messages: it tells the stop how the hub link stands and when the hub made progress.
 */
import type { Logger } from "pino";
import { HOST_STOPPED_REASON } from "../protocol/events.js";
import { HOST_STOPPING_CLOSE_CODE } from "../protocol/host.js";
import type { HostSessions } from "./HostSessions.js";
import { saveSessions } from "./SavedSessions.js";

/**
 * How long a stopping host with a hub waits for it to store its sessions' exits; what it has
 * not acknowledged by then is saved for the next host process (`SavedSessions`).
 */
const STOP_ACK_WAIT_MS = 2_000;

/**
 * The daemon's hub link: `synced` once the hub said which seqs it holds (it stores what it is
 * sent from then on), `connected` before that, `none` with no hub.
 */
export type HubLinkState = "none" | "connected" | "synced";

export interface HostStopOptions {
  sessions: HostSessions;
  logger: Logger;
  /** Where unstored ends are saved (`SavedSessions`); without one (tests), nothing is. */
  savedSessionsFile?: string | undefined;
  hubLink: () => HubLinkState;
  /** Closes the hub's link, if there is one, with this code and reason. */
  closeHub: (code: number, reason: string) => void;
  /** Called once every session is stopped; `running`: how many ran when the stop began. */
  onShutdown: (stopped: { running: number }) => void;
}

export class HostStop {
  /** Set once the stop began: it runs once, whoever asks again. */
  private stopping: Promise<void> | undefined;
  /** Set while the stop waits for the hub's acknowledgements (`progressed`). */
  private acknowledged: (() => void) | undefined;

  constructor(private readonly options: HostStopOptions) {}

  /** Whether the stop has begun (the host takes no new session then). */
  get begun(): boolean {
    return this.stopping !== undefined;
  }

  run(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }

  /** The hub acknowledged events, forgot a session, or went: a waiting stop may be done. */
  progressed(): void {
    this.acknowledged?.();
  }

  private async stop(): Promise<void> {
    const { sessions, logger, savedSessionsFile } = this.options;
    const running = sessions.running;
    logger.info({ sessions: running }, "host stopping its sessions");
    await sessions.stopAll(HOST_STOPPED_REASON);
    if (this.options.hubLink() === "synced") await this.untilAcknowledged();
    if (savedSessionsFile !== undefined) {
      const unstored = sessions.unacknowledged().map((session) => session.ended());
      saveSessions({ file: savedSessionsFile, sessions: unstored, logger });
    }
    logger.info({ sessions: sessions.size }, "host shutting down");
    this.options.closeHub(HOST_STOPPING_CLOSE_CODE, "host stopping");
    this.options.onShutdown({ running });
  }

  /** Resolves once the hub acknowledged every session's events, left, or `STOP_ACK_WAIT_MS` passed. */
  private untilAcknowledged(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.acknowledged = undefined;
        resolve();
      };
      const timer = setTimeout(done, STOP_ACK_WAIT_MS);
      this.acknowledged = () => {
        if (this.options.hubLink() === "none" || this.options.sessions.unacknowledged().length === 0) done();
      };
      this.acknowledged();
    });
  }
}
