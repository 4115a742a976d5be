/**
 * `dispatch notify --state STATE [--message TEXT]`: run by an agent's hook inside its session,
 * it reports the agent's state to the hub with the session's own token
 * (`DISPATCH_SESSION_TOKEN`). The token never leaves this process: the request carries a proof
 * of it (`platform/keyProof.ts`, keyed on the token's hash as the hub stores it), and the answer
 * counts only with the hub's proof back. The hub's address comes from `hub.json`, which names
 * a port another program may hold once the hub stopped: such a program learns nothing it can
 * use, and this command says it is not the session's hub.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { DispatchError } from "../../core/errors.js";
import { hubProofValid, proofHeader, tokenProofKey } from "../../platform/keyProof.js";
import { AgentState } from "../../protocol/agentState.js";
import { ErrorBody } from "../../protocol/api.js";
import { UsageError } from "../exitCodes.js";
import { parseHubInfo } from "../hubFiles.js";
import { type PlainResponse, plainRequest } from "../plainRequest.js";

const NOTIFY_TIMEOUT_MS = 10_000;

export function registerNotify(program: Command): void {
  program
    .command("notify")
    .description("report an agent's state from inside its session (for agent hooks)")
    .requiredOption("--state <state>", `one of ${AgentState.options.join(", ")}`)
    .option("--message <text>", "what the agent is doing or waiting for", "")
    .action(notify);
}

async function notify(options: { state: string; message: string }): Promise<void> {
  const state = AgentState.safeParse(options.state);
  if (!state.success) throw new UsageError(`--state must be one of ${AgentState.options.join(", ")}`);
  const session = process.env.DISPATCH_SESSION;
  const token = process.env.DISPATCH_SESSION_TOKEN;
  if (!session || !token)
    throw new UsageError(
      "not inside a dispatch agent session (DISPATCH_SESSION and DISPATCH_SESSION_TOKEN are not set)",
    );
  const url = new URL(`${hubUrl()}/api/sessions/${encodeURIComponent(session)}/notify`);
  const body = JSON.stringify({ state: state.data, message: options.message.slice(0, 2000) });
  const signer = tokenProofKey(token);
  const proof = proofHeader(
    signer,
    { method: "POST", target: url.pathname + url.search, host: url.host },
    body,
  );
  let response: PlainResponse;
  try {
    response = await plainRequest(
      {
        method: "POST",
        url: url.href,
        headers: { authorization: proof.header, "content-type": "application/json" },
        body,
      },
      { timeoutMs: NOTIFY_TIMEOUT_MS },
    );
  } catch (err) {
    throw new DispatchError(
      "host_unavailable",
      `cannot reach the hub at ${url.origin}: ${(err as Error).message}`,
    );
  }
  const { text } = response;
  if (!hubProofValid(signer.key, proof.proof, response.hubProof)) {
    // The hub refusing the token and a program that is no hub look alike here: neither can prove it.
    throw new DispatchError(
      "unauthorized",
      `what answers at ${url.origin} did not take this session's token (DISPATCH_SESSION_TOKEN) and prove it knows it: ` +
        "the session may have ended (which revokes its token), or that is not this session's hub",
    );
  }
  if (response.status < 200 || response.status > 299) {
    const parsed = ErrorBody.safeParse(safeJson(text));
    throw new DispatchError(
      "internal",
      parsed.success ? parsed.data.error.message : `the hub answered HTTP ${response.status}`,
    );
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The hub's current address (`hub.json`: it may have restarted on another port), else the one at spawn. */
function hubUrl(): string {
  const file = process.env.DISPATCH_HUB_INFO;
  if (file) {
    try {
      const info = parseHubInfo(JSON.parse(readFileSync(file, "utf8")));
      if (info) return info.url.replace(/\/+$/, "");
    } catch {
      // Hub down or file unreadable: fall back to the address the session was started with.
    }
  }
  const url = process.env.DISPATCH_URL;
  if (!url)
    throw new DispatchError("host_unavailable", "the hub's address is unknown (DISPATCH_URL is not set)");
  return url.replace(/\/+$/, "");
}
