/**
 * The heartbeat of one host link as the monitor runs it: pings over the link while it is open,
 * health changes recorded while it is still the host's link (`HostTransitions`), and a link that
 * stops answering terminated, its failure noted on the host's state for the close to report.
 */
import type { Logger } from "pino";
import { Heartbeat } from "./Heartbeat.js";
import type { HostLink } from "./HostLink.js";
import type { HostTransitions } from "./HostTransitions.js";
import type { HostState } from "./hostState.js";

export interface LinkHeartbeatOptions {
  state: HostState;
  link: HostLink;
  intervalMs: number;
  transitions: HostTransitions;
  logger: Logger;
}

/** Starts beating on `link`; the caller disposes the heartbeat when the link closes. */
export function startLinkHeartbeat(options: LinkHeartbeatOptions): Heartbeat {
  const { state, link, transitions, logger } = options;
  const heartbeat = new Heartbeat({
    intervalMs: options.intervalMs,
    send: (t) => {
      if (link.isOpen) link.send({ type: "ping", t });
    },
    onHealth: (beat) => {
      if (state.link !== link) return;
      transitions.record(state, "host-health", {
        health: beat.health,
        rttMs: beat.rttMs,
        missed: beat.missed,
      });
    },
    onFail: (beat) => {
      if (state.link === link) state.failure = `stopped answering heartbeats (${beat.missed} missed)`;
      logger.warn(
        { host: state.name, missed: beat.missed },
        "host stopped answering heartbeats; dropping the link",
      );
      link.terminate("heartbeat timeout");
    },
  });
  heartbeat.start();
  return heartbeat;
}
