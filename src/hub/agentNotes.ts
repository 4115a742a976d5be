/**
 * An agent's hook reported its state: the hub asks the session's host to emit the `state`
 * event (seqs are assigned where events are born, so the hub never writes one for a running
 * session itself). The session record follows when the event comes back and is stored.
 */
import { DispatchError } from "../core/errors.js";
import type { StateData } from "../protocol/events.js";
import type { SessionInfo } from "../protocol/session.js";
import type { SessionManager } from "./SessionManager.js";

export function noteAgentState(manager: SessionManager, ref: string, data: StateData): SessionInfo {
  const record = manager.directory.resolve(ref);
  if (record.status !== "running" && record.status !== "starting") {
    throw new DispatchError(
      "session_exited",
      `session '${record.name}' has ${record.status}; its state was not updated`,
    );
  }
  manager.hosts.require(record.host).send({ type: "note", session: record.id, event: "state", data });
  return manager.get(record.id);
}
