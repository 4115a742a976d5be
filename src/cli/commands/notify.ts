/**
 * `dispatch notify --state STATE [--message TEXT]`, run inside an agent session (by the
 * agent's hook): reports the agent's state to the hub. The session, its token (good for that
 * session alone) and the hub's address come from the environment the session was started with.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { DispatchError } from "../../core/errors.js";
import { AgentState } from "../../protocol/events.js";
import { UsageError } from "../exitCodes.js";
import { HubInfo } from "../hubFiles.js";

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
  const url = hubUrl();
  let response: Response;
  try {
    response = await fetch(`${url}/api/sessions/${encodeURIComponent(session)}/notify`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ state: state.data, message: options.message.slice(0, 2000) }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new DispatchError("host_unavailable", `cannot reach the hub at ${url}: ${(err as Error).message}`);
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as
      | { error?: { message?: string } }
      | undefined;
    throw new DispatchError("internal", body?.error?.message ?? `the hub answered HTTP ${response.status}`);
  }
}

/** The hub's current address (`hub.json`: it may have restarted on another port), else the one at spawn. */
function hubUrl(): string {
  const file = process.env.DISPATCH_HUB_INFO;
  if (file) {
    try {
      return HubInfo.parse(JSON.parse(readFileSync(file, "utf8"))).url;
    } catch {
      // Hub down or file unreadable: fall back to the address the session was started with.
    }
  }
  const url = process.env.DISPATCH_URL;
  if (!url)
    throw new DispatchError("host_unavailable", "the hub's address is unknown (DISPATCH_URL is not set)");
  return url;
}
