/**
 * One HTTP request that waits for its answer as long as the server takes. Node's fetch (its
 * built-in undici) gives up after 5 minutes without headers or body bytes (`headersTimeout`,
 * `bodyTimeout`), and only undici's own `Agent`, not a dependency here, could lift that. A
 * session command such as an evaluation has no deadline at the hub (`hub/longCommands.ts`), so
 * the CLI asks for it with node:http, which sets none. Ctrl-C ends the process, and the
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

/** Resolves with the status and body once the whole answer is in; rejects when the connection fails. */
export function requestWithoutDeadline(plain: PlainRequest): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(plain.url);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const headers = { ...plain.headers };
    if (plain.body !== undefined) headers["content-length"] = String(Buffer.byteLength(plain.body));
    // No agent: one request per command, and no idle keep-alive socket left behind it.
    const request = send(url, { method: plain.method, headers, agent: false }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        text += chunk;
      });
      response.on("end", () => {
        const proof = response.headers[HUB_PROOF_HEADER];
        resolve({
          status: response.statusCode ?? 0,
          text,
          hubProof: typeof proof === "string" ? proof : undefined,
        });
      });
      response.on("error", reject);
      response.on("close", () => {
        // After `end` this settles nothing; before it, the hub went away mid-answer.
        if (!response.complete) reject(new Error("the connection closed before the answer was complete"));
      });
    });
    request.on("error", reject);
    request.end(plain.body);
  });
}
