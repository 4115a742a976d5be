/**
 * The hub's side of key proofs (`platform/keyProof.ts`): the CLI proves it holds the access key,
 * a personal token or a share link without sending it, a remote host its host token, and
 * `dispatch notify` its session's token. Who may sign is the caller's to say (`ProofSigners`:
 * a host token's proof is good at `/host` only); the rules below hold for every proof, and one
 * memory of nonces serves them all. A proof counts once, within
 * `PROOF_WINDOW_MS` of the hub's clock, for the port it was sent to, and only if it was made
 * after this hub started listening: a listener that captured one on another port (the CLI's
 * fallback port, a stale `hub.json`'s) cannot replay it here, nothing it saw can be replayed
 * twice, and what it caught on this port before this hub took it cannot be replayed either.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { type Readable, Transform } from "node:stream";
import { DispatchError } from "../core/errors.js";
import { hubProof, PROOF_WINDOW_MS, parseProofHeader, proofValid } from "../platform/keyProof.js";
import type { Principal } from "../protocol/people.js";

/** How a request reached the hub: what the proof must have been signed for. */
export interface Arrival {
  method: string;
  /** Path and query, as sent. */
  url: string;
  host: string | undefined;
  /** The port the connection came in on. */
  localPort: number | undefined;
  encrypted: boolean;
}

/**
 * A key a proof may be signed with, and who a proof signed with it stands for: a person (the
 * default), or whatever the caller checks for (a host's name, a session's token).
 */
export interface ProofSigner<P = Principal> {
  key: string;
  principal: P;
}

/**
 * Who can sign: the access key's signer, if any, for a proof without a key id; for one with a
 * key id (a token's, `tokenProofKey`), the signers that id may name (almost always one or none).
 */
export interface ProofSigners<P = Principal> {
  accessKey?: ProofSigner<P> | undefined;
  byKeyId(keyId: string): ProofSigner<P>[];
}

/**
 * A proof accepted, or why not (said to the caller: none of it helps a guesser). `clock`: only
 * the proof's time was wrong (stale, or made before this hub listened), which the signer cannot
 * help and a later proof may cure: a host dials again rather than taking it as a refused token.
 */
export type ProofOutcome<P = Principal> = { principal: P } | { refusal: string; clock?: true };

/** Nonces remembered at once; past this, proofs are refused until old ones expire (a flood). */
const MAX_REMEMBERED = 100_000;

interface Remembered {
  /** When it stops mattering (its proof's time is out of the window by then). */
  until: number;
  /** The accepted proof's signature and key, for the hub's answer to it. */
  signature: string;
  key: string;
}

export class KeyProofs {
  private readonly seen = new Map<string, Remembered>();
  /**
   * Proofs made before this are refused: see `listening`. Until then, since the hub was built
   * (nothing can reach it before it listens).
   */
  private notBefore = Date.now();

  /** Whether `authorization` is a key proof at all (valid or not). */
  static presented(authorization: string | undefined): boolean {
    return /^Dispatch-Proof\s/i.test(authorization ?? "");
  }

  /**
   * The hub is about to listen (called just before it binds its port). Proofs made earlier are
   * refused from now on: they were sent while another process held the port (or none did),
   * so whatever holds one caught it there. Remembering nonces across restarts instead would
   * not do: such a proof never reached this hub, so no record of nonces would hold it.
   *
   * The CLI signs with its own clock. On the hub's machine (the key file's proofs) that is the
   * hub's clock. A CLI elsewhere (`DISPATCH_KEY` to a hub on `--allow-remote`) whose clock lags
   * is refused for as long as the lag just after a start, and told to check its clock; one
   * whose clock runs ahead leaves that much of a window before the start open. Both are why
   * the hub and its remote clients should keep their clocks synchronised (NTP).
   */
  listening(at = Date.now()): void {
    this.notBefore = at;
  }

  /**
   * Who the proof in `authorization` stands for if it is good for this arrival and new; else
   * why not (wrong key, wrong port, stale, early, replayed or malformed: all fail alike).
   */
  check<P>(
    authorization: string | undefined,
    arrival: Arrival,
    signers: ProofSigners<P>,
    now = Date.now(),
  ): ProofOutcome<P> {
    const proof = parseProofHeader(authorization);
    if (!proof || arrival.host === undefined) return { refusal: REFUSED };
    if (Math.abs(now - proof.time) > PROOF_WINDOW_MS) return { refusal: STALE, clock: true };
    if (proof.time < this.notBefore) return { refusal: BEFORE_START, clock: true };
    if (hostPort(arrival.host, arrival.encrypted) !== arrival.localPort) return { refusal: REFUSED };
    const target = { method: arrival.method, target: arrival.url, host: arrival.host };
    const { accessKey } = signers;
    const candidates =
      proof.keyId === undefined ? (accessKey ? [accessKey] : []) : signers.byKeyId(proof.keyId);
    const signer = candidates.find((candidate) => proofValid(candidate.key, target, proof));
    if (!signer) return { refusal: REFUSED };
    this.forget(now);
    if (this.seen.has(proof.nonce) || this.seen.size >= MAX_REMEMBERED) return { refusal: REFUSED };
    this.seen.set(proof.nonce, {
      until: proof.time + PROOF_WINDOW_MS,
      signature: proof.signature,
      key: signer.key,
    });
    return { principal: signer.principal };
  }

  /**
   * The `Dispatch-Hub-Proof` answer to the proof in `authorization` once `check` accepted it,
   * keyed as that proof was: only a holder of the key (or of the token's hash) can make it.
   */
  answer(authorization: string | undefined): string | undefined {
    const proof = parseProofHeader(authorization);
    const accepted = proof ? this.seen.get(proof.nonce) : undefined;
    if (!proof || accepted?.signature !== proof.signature) return undefined;
    return hubProof(accepted.key, proof);
  }

  /** Drops expired nonces from the oldest on; stops at the first live one (kept a little longer at worst). */
  private forget(now: number): void {
    for (const [nonce, { until }] of this.seen) {
      if (until >= now) return;
      this.seen.delete(nonce);
    }
  }
}

const REFUSED =
  "the key proof does not hold here: it is not signed with this hub's access key or a live token of it, for this port, or it was replayed; check DISPATCH_KEY, or send `Authorization: Bearer KEY`";
const STALE = `the key proof is more than ${PROOF_WINDOW_MS / 1000} s from the hub's clock: check that the clocks of this machine and the hub's agree`;
const BEFORE_START =
  "the key proof was made before this hub started listening, so it is refused (it may have been caught by whatever held the port before); if you just made it, this machine's clock is behind the hub's: sync them (NTP) and try again";

/** The port a `Host` header names (`h:p`, `[::1]:p`), else the scheme's default. */
function hostPort(host: string, encrypted: boolean): number {
  const match = /:(\d+)$/.exec(host);
  if (match && !host.endsWith("]")) return Number(match[1]);
  return encrypted ? 443 : 80;
}

/**
 * What a request arriving at the hub was sent to, for `KeyProofs.check`. Behind a trusted proxy
 * (`--trust-proxy`) the port a client dialed is the proxy's, which the hub cannot see: it takes
 * the proxy's word, `X-Forwarded-Port` and `X-Forwarded-Proto`, else the port `Host` names (the
 * client's own), so a remote host or CLI dialing `https://hub.example` is not refused for it.
 */
export function arrivalOf(request: IncomingMessage, trustProxy = false): Arrival {
  const host = request.headers.host;
  const direct = {
    method: request.method ?? "GET",
    url: request.url ?? "/",
    host,
    localPort: request.socket.localPort,
    encrypted: "encrypted" in request.socket && request.socket.encrypted === true,
  };
  if (!trustProxy) return direct;
  const proto = firstValue(request.headers["x-forwarded-proto"])?.toLowerCase();
  const encrypted = proto === undefined ? direct.encrypted : proto === "https" || proto === "wss";
  const forwardedPort = Number(firstValue(request.headers["x-forwarded-port"]));
  const localPort =
    Number.isSafeInteger(forwardedPort) && forwardedPort > 0
      ? forwardedPort
      : host === undefined
        ? undefined
        : hostPort(host, encrypted);
  return { ...direct, encrypted, localPort };
}

/** The first of a header's values (a proxy chain may list several: the client's side comes first). */
function firstValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(",")[0]?.trim() || undefined;
}

/**
 * The request body, checked as it is read against the hash its key proof signed: a proof
 * captured with one body cannot carry another. Fails the parse on a mismatch.
 */
export function provenBody(authorization: string | undefined, payload: Readable): Readable {
  const proof = parseProofHeader(authorization);
  if (!proof) return payload;
  const hash = createHash("sha256");
  const checked = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      if (hash.digest("hex") === proof.bodyHash) return done();
      done(new DispatchError("unauthorized", "the request body is not the one its key proof was signed for"));
    },
  });
  payload.on("error", (err) => checked.destroy(err));
  // A route that parses no body (none was sent) never reads this stream, yet it ends and fails
  // here: unheard, that error would end the hub. A reader hears it and fails the request.
  checked.on("error", () => undefined);
  return payload.pipe(checked);
}
