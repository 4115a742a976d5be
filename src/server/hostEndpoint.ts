/**
 * The `/host` WebSocket where remote hosts dial in. A host proves its host token at the upgrade
 * (`Authorization: Dispatch-Proof k=…`, keyed on the token's stored hash: docs/PROTOCOL.md,
 * "Key proofs"), and the `101` carries the hub's proof back, so a host tells its hub from
 * whatever took the hub's port while it was down, and that listener learns no token. The
 * socket becomes a `HostConnection` whose identity the token decides. From there the host
 * protocol is the local host's.
 *
 * Hosts of the previous release send the token itself (`Authorization: Bearer HOST_TOKEN`); that
 * is still taken, so a hub can be upgraded before its hosts, and logged each time as a warning
 * naming the host to upgrade.
 *
 * A proof made with a token this hub revoked is refused (`401`) with the hub's proof back, keyed
 * on that token: the host then knows its hub refused it, and stops dialing. Any other `401` is
 * one the host cannot tell from a stranger's on the hub's port (a mistyped token was never
 * known here), so a host that was linked before dials on.
 *
 * While the store cannot be read, a token verified before is still taken (`HostTokens`); any
 * other is answered `503`, saying the store is unavailable, and the host dials on.
 *
 * Wrong tokens count in the hub's one failure limiter; a valid token is accepted at once and
 * never counted, so a noisy neighbour on the same address cannot keep a healthy host out.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { WebSocketServer } from "ws";
import { toDispatchError } from "../core/errors.js";
import { HostConnection } from "../hub/HostConnection.js";
import type { HostMonitor } from "../hub/HostMonitor.js";
import { HUB_PROOF_HEADER, hubProof, parseProofHeader, proofValid } from "../platform/keyProof.js";
import { MAX_HOST_MESSAGE_BYTES } from "../protocol/host.js";
import type { Authenticator } from "./auth.js";
import type { HostTokens } from "./HostTokens.js";
import { arrivalOf, KeyProofs } from "./keyProofs.js";
import { refuseUpgrade } from "./upgradeRefusal.js";

export const HOST_ENDPOINT_PATH = "/host";

export interface HostEndpointOptions {
  monitor: HostMonitor;
  tokens: HostTokens;
  logger: Logger;
  auth: Authenticator;
}

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Who dialed: the host a token stands for, or how to refuse the upgrade. */
type Identified = { host: string } | { status: 400 | 401; message: string; hubProof?: string };

const UNKNOWN_TOKEN = "unknown or revoked host token; create one with `dispatch hosts token create NAME`";
const REVOKED_TOKEN =
  "this host token was revoked; create a new one with `dispatch hosts token create NAME` and start the host with it";

/** What the hub logs for every refused upgrade (one failed sign-in each). */
const REFUSED_LOG = "host refused: missing, unknown or revoked host token";

/** The upgrade handler for `/host` (the app routes upgrades by path). */
export function hostEndpoint(app: FastifyInstance, options: HostEndpointOptions): UpgradeHandler {
  const { monitor, tokens, logger, auth } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_HOST_MESSAGE_BYTES });
  // The hub's proof back, in the 101: the host links only to a server that gives it.
  wss.on("headers", (headers, request) => {
    const answer = auth.answerProof(request.headers);
    if (answer) headers.push(`${HUB_PROOF_HEADER}: ${answer}`);
  });
  // preClose: the HTTP server waits for upgraded sockets before it closes.
  app.addHook("preClose", async () => {
    for (const client of wss.clients) client.terminate();
    wss.close();
  });

  const identify = async (request: IncomingMessage, address: string): Promise<Identified> => {
    const { authorization } = request.headers;
    if (KeyProofs.presented(authorization)) {
      // A host dials through whatever maps ports on its way (a TCP balancer, a container's
      // published port), where the port the hub listens on is not the one it dialed: its proof
      // is held to the port its own `Host` names, as behind a trusted proxy. Once only and made
      // after this hub took its port: a listener on the hub's port while it was down has
      // nothing to replay.
      const outcome = await auth.prove(authorization, address, arrivalOf(request, true), {
        byKeyId: (keyId) => tokens.proofSigners(keyId),
      });
      if ("principal" in outcome) return { host: outcome.principal };
      // A clock off is no refused token: the host dials again (and logs why) rather than stopping.
      if (outcome.clock) return { status: 400, message: outcome.refusal };
      // A replayed or misdirected proof reads the same: its signer cannot tell them apart either.
      logger.warn({ address }, REFUSED_LOG);
      const answer = revokedAnswer(authorization, request, tokens);
      return answer
        ? { status: 401, message: REVOKED_TOKEN, hubProof: answer }
        : { status: 401, message: UNKNOWN_TOKEN };
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim() ?? "";
    const host = await auth.limiter.attempt(address, () => tokens.verify(bearer));
    if (!host) {
      logger.warn({ address }, REFUSED_LOG);
      return { status: 401, message: UNKNOWN_TOKEN };
    }
    logger.warn(
      { host, address },
      "host dialed with its token as a bearer, as hosts of the previous release do: whatever listens where it dials can take the token; upgrade dispatch on that host",
    );
    return { host };
  };

  return (request, socket, head) => {
    const address = request.socket.remoteAddress ?? "unknown";
    identify(request, address).then(
      (identified) => {
        if (!("host" in identified)) {
          const reason = identified.status === 401 ? "Unauthorized" : "Bad Request";
          const proof = identified.hubProof ? `${HUB_PROOF_HEADER}: ${identified.hubProof}\r\n` : "";
          socket.end(
            `HTTP/1.1 ${identified.status} ${reason}\r\ncontent-type: text/plain\r\n${proof}connection: close\r\n\r\n${identified.message}\n`,
          );
          return;
        }
        const id = identified.host;
        wss.handleUpgrade(request, socket, head, (ws) => {
          logger.info({ host: id, address }, "host dialed in");
          const link = logger.child({ host: id });
          const events = monitor.eventsFor({ id, name: id, kind: "remote", address });
          new HostConnection(ws, events, link, monitor.requestTimeoutMs);
        });
      },
      (err: unknown) => {
        // The limiter's refusal (429), or the store unavailable to check the token (503): the
        // host dials again either way, and only a 401 would stop it.
        const error = toDispatchError(err);
        if (error.code === "storage_failing") {
          logger.warn({ address }, "host refused for now: the store is unavailable to check its token");
        }
        refuseUpgrade(socket, error.httpStatus, error.message);
      },
    );
  };
}

/**
 * The hub's proof for a refusal of a proof made with a token this hub revoked (signed for this
 * very request, so nothing else can reuse it); undefined for any other refusal.
 */
function revokedAnswer(
  authorization: string | undefined,
  request: IncomingMessage,
  tokens: HostTokens,
): string | undefined {
  const proof = parseProofHeader(authorization);
  if (proof?.keyId === undefined) return undefined;
  const arrival = arrivalOf(request, true);
  if (arrival.host === undefined) return undefined;
  const target = { method: arrival.method, target: arrival.url, host: arrival.host };
  const key = tokens.revokedProofKeys(proof.keyId).find((candidate) => proofValid(candidate, target, proof));
  return key === undefined ? undefined : hubProof(key, proof);
}
