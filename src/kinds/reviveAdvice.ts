/**
 * What to type to start an ended session again, worded once: the hub's errors for a command
 * that needs a live session (`hub/endedSession.ts`), the kernel's own refusal, and the CLI's
 * hints (an attach that ends, `dispatch eval` and `dispatch input` on an ended image). Whether
 * a kind can be revived at all is the kind's (`revive`, `kinds/kind.ts`), said by the caller.
 */
import { WORKSPACE } from "./workspace/index.js";

/** What reviving an image starts: its variables are gone, which "it again" would hide. */
const FRESH_KERNEL = "a fresh kernel (`--replay` re-runs the cells that succeeded)";

/** "`dispatch revive NAME` starts it again" (an image: "starts a fresh kernel (…)"). */
export function reviveAdvice(session: { name: string; kind: string }): string {
  const starts = session.kind === WORKSPACE ? FRESH_KERNEL : "it again";
  return `\`dispatch revive ${session.name}\` starts ${starts}`;
}
