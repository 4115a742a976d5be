/**
 * Opening the hub's WebSocket (`/ws`) as the CLI does: with `Authorization: Bearer KEY`, or with
 * `prove` or `proofKey`, a proof of the key or token (`platform/keyProof.ts`) and an upgrade the
 * hub must answer with a proof of its own, so nothing is said to a server that does not hold
 * it. Refusals become `DispatchError`s that say what happened.
 */
import WebSocket from "ws";
import { DispatchError } from "../core/errors.js";
import { HUB_PROOF_HEADER, hubProofValid, type ProofKey, proofHeader } from "../platform/keyProof.js";

export interface DialOptions {
  key: string | undefined;
  /** Prove the key rather than send it; only a hub that proves it holds it is talked to. */
  prove?: boolean | undefined;
  /** Prove with this (a token's proof key, `tokenProofKey`) rather than send `key`; implies `prove`. */
  proofKey?: ProofKey | undefined;
  timeoutMs: number;
}

/** An open WebSocket to the hub at `hubUrl` (`http://h:p` or a `ws://` URL), before `hello`. */
export async function dialHub(hubUrl: string, options: DialOptions): Promise<WebSocket> {
  const url = webSocketUrl(hubUrl);
  const { key, timeoutMs } = options;
  const dialled = new URL(url);
  const signer = options.proofKey ?? (key && options.prove ? { key } : undefined);
  const proof = signer
    ? proofHeader(signer, { method: "GET", target: dialled.pathname + dialled.search, host: dialled.host })
    : undefined;
  const ws = new WebSocket(url, {
    headers: proof ? { authorization: proof.header } : key ? { authorization: `Bearer ${key}` } : {},
    handshakeTimeout: timeoutMs,
  });
  let proven = false;
  ws.once("upgrade", (response) => {
    proven =
      proof !== undefined &&
      signer !== undefined &&
      hubProofValid(signer.key, proof.proof, response.headers[HUB_PROOF_HEADER]);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => {
      ws.removeAllListeners("error");
      ws.removeAllListeners("unexpected-response");
      if (proof && !proven) {
        ws.terminate();
        reject(new UnprovenHubError(url));
        return;
      }
      resolve();
    });
    ws.once("error", (err) => {
      reject(
        new DispatchError("host_unavailable", `cannot reach the hub at ${url}: ${err.message}`, {
          cause: err,
        }),
      );
    });
    ws.once("unexpected-response", (_request, response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => {
        const detail = body.trim() || `HTTP ${response.statusCode}`;
        const code =
          response.statusCode === 401
            ? "unauthorized"
            : response.statusCode === 403
              ? "forbidden"
              : "internal";
        // A refusal from a server that cannot prove it holds the key says nothing about the key.
        if (proof) reject(new UnprovenHubError(url));
        else reject(new DispatchError(code, `the hub refused the WebSocket: ${detail}`));
        ws.terminate();
      });
    });
  });
  return ws;
}

/** The server at `url` answered without proving it holds the key: it is not the hub looked for. */
export class UnprovenHubError extends DispatchError {
  /** A brand, as DispatchError's (whose check would count every DispatchError as one of these). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && UNPROVEN in value;
  }

  constructor(url: string) {
    super(
      "host_unavailable",
      `the server at ${url} cannot prove it holds the access key: it is not this hub`,
    );
    Object.defineProperty(this, UNPROVEN, { value: true });
  }
}

const UNPROVEN = Symbol.for("dispatch.UnprovenHubError");

/** `http://h:p` -> `ws://h:p/ws`; a `ws://` or `wss://` URL is used as given. */
export function webSocketUrl(url: string): string {
  if (/^wss?:\/\//.test(url)) return url;
  const base = url.replace(/^http/, "ws").replace(/\/+$/, "");
  return `${base}/ws`;
}
