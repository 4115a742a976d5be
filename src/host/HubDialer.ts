/**
 * A remote host's way to its hub: dials `URL/host` (wss when the hub URL is https) proving its
 * host token without sending it (`platform/keyProof.ts`, keyed on the token's hash as the hub
 * stores it), and links only when the `101` carries the hub's proof back: whatever took the
 * hub's port while the hub was down learns no token, nothing it can replay, and is sent nothing
 * (no hello, no session output); the dialer drops it and dials again. It hands each open socket
 * to the daemon (the same `bindHubSocket` the local host
 * uses), and when the link drops dials again, for as long as the hub does not refuse its token.
 * Sessions keep running meanwhile; the daemon buffers their output and replays it on `sync`.
 *
 * A host may be given several hub URLs (the nodes of one cluster on one database: any of them
 * can take the host). It dials one; when that link drops or the node cannot be reached it
 * dials the next one in the list promptly (a dead node should cost the host well under a
 * second, not a backoff), and only once every URL failed in a row does it back off
 * (exponentially, with jitter, as with one URL; at most 5 s) before the next round.
 *
 * One answer ends the dialing for good: HTTP 401 at the upgrade, the hub refusing this host's
 * token (revoked, replaced or mistyped). The same token can only be refused again, and every
 * refusal counts as a failed sign-in from this machine's address in the hub's limiter (slowing
 * every other client there), so the dialer stops and tells its owner (`refused`). A hub refusing
 * a token it revoked proves it knew the token (`Dispatch-Hub-Proof` on the 401, as on a 101);
 * once a link worked, a 401 without that proof is not believed: whatever holds the hub's port
 * while the hub restarts could send it, so it is logged and dialed past with backoff. Before any
 * link worked (a mistyped token, which no hub can prove it knows) any 401 stops the dialer. Anything else
 * (no answer, a hub restarting, 5xx, 429 from the limiter, a cluster node holding the lease) is
 * passing and dialed again, and so is a `400` for the proof's time (this machine's clock is off
 * from the hub's, or the proof was made just before a restarted hub took its port): dialing
 * again makes a new proof. Every node of a cluster reads the same token table, so a 401 from
 * any of them stands for all.
 */
import type { Logger } from "pino";
import WebSocket from "ws";
import { backoffDelay, WAITED_ON_MAX_MS } from "../core/backoff.js";
import {
  HUB_PROOF_HEADER,
  hubProofValid,
  type ProofKey,
  proofHeader,
  tokenProofKey,
} from "../platform/keyProof.js";
import { LEASE_HELD_CLOSE_CODE, MAX_HOST_MESSAGE_BYTES } from "../protocol/host.js";
import type { HostDaemon } from "./HostDaemon.js";
import { bindHubSocket } from "./HostLink.js";

/** With the hub's 2 s heartbeat, this much silence means the link is dead (no FIN arrived). */
const DEFAULT_SILENCE_MS = 15_000;
const SILENCE_CHECK_MS = 1_000;
/**
 * A cluster node closes a host's link with `LEASE_HELD_CLOSE_CODE` when another node still holds
 * the host's intake lease: typically the node this host just lost, not yet declared dead. The
 * refusing node is alive, and the lease frees within seconds, so a round with such a refusal
 * backs off at most this many steps (about a second) instead of growing towards 30 s.
 */
const LEASE_HELD_MAX_ROUND = 2;

/** `http://hub:7777` -> `ws://hub:7777/host`; `https://…` -> `wss://…/host`. */
export function hostEndpointUrl(hubUrl: string): string {
  let url: URL;
  try {
    url = new URL(hubUrl);
  } catch {
    throw new Error(
      `hub URL '${hubUrl}' is not a URL: give the hub's address, e.g. https://hub.example:7777`,
    );
  }
  if (url.protocol === "https:") url.protocol = "wss:";
  else if (url.protocol === "http:") url.protocol = "ws:";
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    throw new Error(`hub URL '${hubUrl}' must start with http://, https://, ws:// or wss://`);
  }
  if (url.search || url.hash) throw new Error(`hub URL '${hubUrl}' must not carry a query or fragment`);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/host`;
  return url.toString();
}

/**
 * The hub URLs a host was given (`--hub A,B --hub C`): split on commas, trimmed, duplicates
 * dropped, each checked. Throws one error naming every bad entry.
 */
export function parseHubUrls(values: readonly string[]): string[] {
  const urls = [...new Set(values.flatMap((value) => value.split(",")).map((url) => url.trim()))];
  const nonEmpty = urls.filter((url) => url !== "");
  if (nonEmpty.length === 0) throw new Error("no hub URL given: use --hub URL (several: --hub URL1,URL2)");
  const problems: string[] = [];
  for (const url of nonEmpty) {
    try {
      hostEndpointUrl(url);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (urls.length !== nonEmpty.length) problems.push("an empty entry in the hub URL list (a stray comma?)");
  if (problems.length > 0) throw new Error(problems.join("; "));
  return nonEmpty;
}

/** HTTP status of a refused credential: the only answer the dialer takes as final. */
const TOKEN_REFUSED_STATUS = 401;

/** The hub refused this host's token; the dialer has stopped. */
export interface HubRefusal {
  /** The hub URL that answered, as given (`https://hub.example:7777`). */
  hubUrl: string;
  /**
   * A link worked earlier in this process, so the hub may have started sessions here; false
   * when the very first answers were refusals (a mistyped token: nothing runs yet).
   */
  wasLinked: boolean;
}

/** What the dialer tells the host process. */
export interface HubDialerEvents {
  /** Called once, after the dialer stopped for good (see the module comment). */
  refused(refusal: HubRefusal): void;
}

export interface HubDialerOptions {
  /** One URL, or the nodes of one cluster in the order to try them. */
  hubUrls: readonly string[];
  token: string;
  daemon: HostDaemon;
  logger: Logger;
  /** Drop a link that has been silent this long (default 15 s). */
  silenceMs?: number;
  events: HubDialerEvents;
}

export class HubDialer {
  /** Index into `urls` of the node dialed now. */
  private current = 0;
  /** URLs tried in a row without a working link; a full round of them means back off. */
  private failedInRow = 0;
  /** Rounds that failed in a row: the backoff attempt. */
  private round = 0;
  /** A node of this round refused only because another node holds this host's lease. */
  private leaseHeldInRound = false;
  private socket: WebSocket | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Some link of this process reached the hub (the hub answered on it). */
  private wasLinked = false;
  /** The hub URLs as given, and their `/host` endpoints (same order). */
  private readonly hubUrls: string[];
  private readonly urls: string[];
  /** What each dial proves the host token with. */
  private readonly signer: ProofKey;

  constructor(private readonly options: HubDialerOptions) {
    this.hubUrls = parseHubUrls(options.hubUrls);
    this.urls = this.hubUrls.map(hostEndpointUrl);
    this.signer = tokenProofKey(options.token);
  }

  start(): void {
    this.dial();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.silenceTimer) clearInterval(this.silenceTimer);
    this.socket?.close(1001, "host shutting down");
  }

  private dial(): void {
    if (this.stopped) return;
    const { logger } = this.options;
    const url = this.urls[this.current] as string;
    logger.debug({ url, round: this.round }, "dialing the hub");
    const dialled = new URL(url);
    const proof = proofHeader(this.signer, {
      method: "GET",
      target: dialled.pathname + dialled.search,
      host: dialled.host,
    });
    const socket = new WebSocket(url, {
      headers: { authorization: proof.header },
      maxPayload: MAX_HOST_MESSAGE_BYTES,
      handshakeTimeout: 10_000,
    });
    this.socket = socket;
    let lastHeard = Date.now();
    let worked = false;
    let tokenRefused = false;
    let proven = false;
    socket.once("upgrade", (response) => {
      proven = hubProofValid(this.signer.key, proof.proof, response.headers[HUB_PROOF_HEADER]);
    });
    socket.on("unexpected-response", (_request, response) => {
      if (response.statusCode === TOKEN_REFUSED_STATUS) {
        const proven401 = hubProofValid(this.signer.key, proof.proof, response.headers[HUB_PROOF_HEADER]);
        // Reported once, by the owner (`refused`).
        tokenRefused = proven401 || !this.wasLinked;
        if (!tokenRefused) {
          logger.warn(
            { url },
            "what answers there refused this host's token without proving it knows the token, so it is not this host's hub (something holding its port while the hub restarts?), or the hub lost its token records (restored from an older backup: then create a new token with `dispatch hosts token create NAME`); dialing again",
          );
        }
        response.resume();
        socket.terminate();
        return;
      }
      // Other answers are passing: say what the server said (a clock off, the limiter) and dial again.
      let said = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        if (said.length < 1_000) said += chunk;
      });
      response.on("end", () => {
        logger.error(
          { url, status: response.statusCode, said: said.trim() },
          "the hub refused the connection",
        );
        socket.terminate();
      });
      response.on("error", () => socket.terminate());
    });
    socket.on("error", (err) => logger.debug({ url, err: err.message }, "hub link error"));
    socket.on("open", () => {
      if (!proven) {
        // Not the hub (something took its port), or a hub older than this host: nothing is sent.
        logger.warn(
          { url },
          "what answers there did not prove it knows this host's token, so it is not this host's hub (or a hub older than this host): nothing was sent; dialing again",
        );
        socket.terminate();
        return;
      }
      logger.info({ url }, "connected to the hub");
      bindHubSocket(socket, this.options.daemon, logger);
      this.silenceTimer = setInterval(() => {
        if (Date.now() - lastHeard < (this.options.silenceMs ?? DEFAULT_SILENCE_MS)) return;
        logger.warn({ url }, "the hub went silent; dropping the link and dialing again");
        socket.terminate();
      }, SILENCE_CHECK_MS);
    });
    socket.on("message", () => {
      // An unproven server's words count for nothing, not even as a working link.
      if (!proven) return;
      lastHeard = Date.now();
      // The hub answered (sync, ping): the link works, so the next drop starts over.
      worked = true;
      this.wasLinked = true;
    });
    socket.on("close", (code, reason) => {
      if (this.silenceTimer) clearInterval(this.silenceTimer);
      this.silenceTimer = undefined;
      if (this.socket === socket) this.socket = undefined;
      if (tokenRefused) return this.refuse();
      const leaseHeld = code === LEASE_HELD_CLOSE_CODE;
      if (leaseHeld) logger.info({ url, reason: reason.toString() }, "hub node refused this host for now");
      this.scheduleDial(worked, leaseHeld);
    });
  }

  /** Stops for good: dialing again with a refused token only counts against this address. */
  private refuse(): void {
    if (this.stopped) return;
    this.stop();
    this.options.events.refused({ hubUrl: this.hubUrls[this.current] as string, wasLinked: this.wasLinked });
  }

  private scheduleDial(worked: boolean, leaseHeld: boolean): void {
    if (this.stopped) return;
    if (worked) {
      this.failedInRow = 0;
      this.round = 0;
      this.leaseHeldInRound = false;
    } else {
      this.failedInRow++;
      this.leaseHeldInRound ||= leaseHeld;
    }
    // Another node next: the one just lost is the likeliest to be down.
    this.current = (this.current + 1) % this.urls.length;
    let delay: number;
    if (this.failedInRow >= this.urls.length) {
      // Every node failed in a row: back off before the next round, as with a single hub.
      this.failedInRow = 0;
      const step = this.leaseHeldInRound ? Math.min(this.round, LEASE_HELD_MAX_ROUND) : this.round;
      this.leaseHeldInRound = false;
      this.round++;
      delay = backoffDelay(step, Math.random, WAITED_ON_MAX_MS);
    } else {
      // Some node in the list is untried this round: dial it after the first backoff step
      // (jittered, so a dead node's hosts do not all land on the next one in the same instant).
      delay = backoffDelay(0);
    }
    this.options.logger.info(
      { delayMs: delay, next: this.urls[this.current] },
      "hub link down; sessions keep running; dialing again",
    );
    this.retryTimer = setTimeout(() => this.dial(), delay);
  }
}
