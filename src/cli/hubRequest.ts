/**
 * One REST call from the CLI to the hub: the key proven (`platform/keyProof.ts`) or, without a
 * signer, sent as a bearer; the answer believed only with the hub's proof back; error bodies
 * `{error: {code, message}}` thrown as `DispatchError`s, and a hub that cannot be reached or
 * proven as `host_unavailable` saying so.
 */
import { DispatchError, isErrorCode } from "../core/errors.js";
import { hubProofValid, type ProofKey, proofHeader } from "../platform/keyProof.js";
import { ErrorBody } from "../protocol/api.js";
import { HUB_NOT_RUNNING } from "./exitCodes.js";
import { type HubWhereabouts, notRunningHere } from "./notRunningHere.js";
import { type PlainResponse, plainRequest } from "./plainRequest.js";

/** The hub as the CLI reaches it: where, and how each request shows the key. */
export interface HubAccess extends HubWhereabouts {
  key: string | undefined;
  /** What requests are proven with; undefined: the key is sent as a bearer. */
  signer: ProofKey | undefined;
}

export interface HubRequest {
  method: string;
  /** Path and query, from `/api/…`. */
  path: string;
  /** Sent as JSON; undefined: no body. */
  body: unknown;
  /** Undefined: wait as long as the hub takes to answer (see `hubRequest`). */
  timeoutMs: number | undefined;
}

/** Errors the hub itself answered with (not a hub that could not be reached or proven). */
const hubRefusals = new WeakSet<DispatchError>();

/** Whether `err` is the hub's own answer to a request it received. */
export const refusedByHub = (err: unknown): err is DispatchError =>
  err instanceof DispatchError && hubRefusals.has(err);

/**
 * One REST call, given up after `timeoutMs`; with none, it waits as long as the hub takes to
 * answer (not fetch's 5 minutes: `plainRequest`) and ends only if the hub goes.
 */
export async function hubRequest(access: HubAccess, request: HubRequest): Promise<unknown> {
  const { method, path, body, timeoutMs } = request;
  const { signer } = access;
  const url = new URL(`${access.url}${path}`);
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = {};
  const proof = signer
    ? proofHeader(signer, { method, target: url.pathname + url.search, host: url.host }, text)
    : undefined;
  if (proof) headers.authorization = proof.header;
  else if (access.key) headers.authorization = `Bearer ${access.key}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const plain = { method, url: url.href, headers, body: text };
  let response: PlainResponse;
  try {
    response = await plainRequest(plain, { timeoutMs });
  } catch (err) {
    if (isRefused(err)) throw new DispatchError("host_unavailable", HUB_NOT_RUNNING, { cause: err });
    const reason = err instanceof Error && err.name === "TimeoutError" ? "timed out" : describe(err);
    throw new DispatchError("host_unavailable", `no answer from the hub at ${access.url}: ${reason}`, {
      cause: err,
    });
  }
  // Nothing an unproven server says is believed, its errors included.
  if (proof && signer && !hubProofValid(signer.key, proof.proof, response.hubProof)) {
    throw new DispatchError("host_unavailable", notRunningHere(access));
  }
  const { status } = response;
  let json: unknown;
  try {
    json = response.text.length > 0 ? JSON.parse(response.text) : undefined;
  } catch {
    throw new DispatchError("internal", `the hub answered ${method} ${path} with HTTP ${status} and no JSON`);
  }
  if (status < 200 || status > 299) {
    const parsed = ErrorBody.safeParse(json);
    if (parsed.success) {
      const { code, message, field } = parsed.data.error;
      if (code === "unauthorized" && access.guessed) {
        throw new DispatchError("host_unavailable", notRunningHere(access));
      }
      const refusal = new DispatchError(isErrorCode(code) ? code : "internal", message, { field });
      hubRefusals.add(refusal);
      throw refusal;
    }
    throw new DispatchError("internal", `the hub answered ${method} ${path} with HTTP ${status}`);
  }
  return json;
}

/** Whether a request or socket error means nothing listens there. */
export function isRefused(err: unknown): boolean {
  for (let cause = err, depth = 0; cause && depth < 5; depth++) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EADDRNOTAVAIL") return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

function describe(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) return cause.message;
  return err instanceof Error ? err.message : String(err);
}
