/**
 * A kind's command run for a person, and its audit row. The row is written once the command
 * has answered and says how it ended: an auditor reading "command save" takes it that the save
 * happened, so a command that failed (a name the kind does not have, arguments it refused, a
 * session gone meanwhile) is still recorded, as the attempt it was, with `failed` and the reason.
 * Refusals by role never get here: the gate records those as `refused`.
 */
import { toDispatchError } from "../core/errors.js";
import type { Actor, AuditTrail } from "../hub/AuditTrail.js";

export async function auditedCommand<T>(
  audit: AuditTrail,
  actor: Actor,
  session: string,
  command: string,
  run: () => Promise<T>,
): Promise<T> {
  try {
    const result = await run();
    audit.record(actor, "command", { session, detail: { command } });
    return result;
  } catch (err) {
    audit.record(actor, "command", { session, detail: { command, failed: toDispatchError(err).message } });
    throw err;
  }
}
