/**
 * One HTTP request with node:http, the CLI's way to the hub's REST API.
 *
 * Not fetch: its first call loads Node's built-in undici, ~80 ms of CPU against ~30 ms for
 * node:http, paid by every CLI command (docs/BENCHMARKS.md, "The CLI's start-up"). And fetch
 * gives up after 5 minutes without headers or body bytes (undici's `headersTimeout`,
 * `bodyTimeout`), which only undici's own `Agent`, not a dependency here, could lift; a session
 * command such as an evaluation has no deadline at the hub (`hub/longCommands.ts`), so its
 * request must be able to wait as long as the hub takes. Ctrl-C ends the process, and the
 * request with it.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { HUB_PROOF_HEADER } from "../platform/keyProof.js";

export interface PlainRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export interface PlainResponse {
  status: number;
  text: string;
  /** The answer's `Dispatch-Hub-Proof` header (`platform/keyProof.ts`), if any. */
  hubProof?: string | undefined;
}

/** The error a request given up after its `timeoutMs` rejects with (as fetch's `AbortSignal.timeout`). */
export class RequestTimeoutError extends Error {
  override readonly name = "TimeoutError";

  constructor(timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms`);
  }
}

/**
 * Resolves with the status and body once the whole answer is in; rejects when the connection
 * fails, or with a `RequestTimeoutError` when `timeoutMs` is given and the whole answer is not
 * in by then. Without `timeoutMs` it waits as long as the server takes.
 */
export function plainRequest(
  plain: PlainRequest,
  options: { timeoutMs?: number | undefined } = {},
): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(plain.url);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const headers = { ...plain.headers };
    if (plain.body !== undefined) headers["content-length"] = String(Buffer.byteLength(plain.body));
    let timer: NodeJS.Timeout | undefined;
    const settle =
      <T>(finish: (value: T) => void) =>
      (value: T) => {
        clearTimeout(timer);
        finish(value);
      };
    const done = settle(resolve);
    const fail = settle(reject);
    // No agent: one request per command, and no idle keep-alive socket left behind it.
    const request = send(url, { method: plain.method, headers, agent: false }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        text += chunk;
      });
      response.on("end", () => {
        const proof = response.headers[HUB_PROOF_HEADER];
        done({
          status: response.statusCode ?? 0,
          text,
          hubProof: typeof proof === "string" ? proof : undefined,
        });
      });
      response.on("error", fail);
      response.on("close", () => {
        // After `end` this settles nothing; before it, the hub went away mid-answer.
        if (!response.complete) fail(new Error("the connection closed before the answer was complete"));
      });
    });
    request.on("error", fail);
    if (options.timeoutMs !== undefined) {
      const timeout = new RequestTimeoutError(options.timeoutMs);
      // Rejected first, so the destroyed request's own errors that follow settle nothing.
      timer = setTimeout(() => {
        reject(timeout);
        request.destroy(timeout);
      }, options.timeoutMs);
    }
    request.end(plain.body);
  });
}
