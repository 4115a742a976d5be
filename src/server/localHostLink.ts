/**
 * The hub's link to its local host as it starts: the launcher that finds the host (already
 * running after a hub restart) or starts it, and the wait for its hello. Apart from `main.ts`
 * because start-up runs it alongside building the app and only awaits it before listening.
 */
import type { Logger } from "pino";
import { HostConnection } from "../hub/HostConnection.js";
import type { Hub } from "../hub/Hub.js";
import { LocalHostLauncher } from "../hub/LocalHostLauncher.js";
import type { HomePaths } from "../platform/home.js";
import { LOCAL_HOST } from "./hostServices.js";

/** How long start-up waits for the local host's hello before serving anyway. */
const HOST_HELLO_TIMEOUT_MS = 15_000;

export interface LocalHostLink {
  /** Keeps the link up for the hub's life; `stop` as the hub closes. */
  launcher: LocalHostLauncher;
  /**
   * Settles once the local host has said hello (or after `HOST_HELLO_TIMEOUT_MS`: the hub
   * serves anyway). A rejection is not left unhandled while nothing awaits it yet.
   */
  linked: Promise<void>;
}

/**
 * Starts linking the local host. A cluster node links none (`linked` settles at once): a host
 * reached over this node's Unix socket could not fail over. `onLinked` runs once it said hello.
 */
export function linkLocalHost(
  hub: Hub,
  options: { paths: HomePaths; logger: Logger; cluster: boolean; onLinked: () => void },
): LocalHostLink {
  const { paths, logger } = options;
  const launcher = new LocalHostLauncher({
    paths,
    logger,
    onSocket: (socket) =>
      new HostConnection(
        socket,
        hub.hosts.eventsFor(LOCAL_HOST),
        logger.child({ host: "local" }),
        hub.hosts.requestTimeoutMs,
      ),
  });
  const linked = options.cluster
    ? Promise.resolve()
    : launcher
        .start()
        .then(() => waitFor(() => hub.hosts.link("local") !== undefined, HOST_HELLO_TIMEOUT_MS))
        .then(options.onLinked);
  linked.catch(() => undefined);
  return { launcher, linked };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
