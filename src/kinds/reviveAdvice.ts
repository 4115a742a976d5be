/**
 * What to type to start an ended session again, worded once: the hub's errors for a command
 * that needs a live session (`hub/endedSession.ts`), the kernel's own refusal, and the CLI's
 * hints (an attach that ends, `dispatch eval` and `dispatch input` on an ended image). Whether
 * a kind can be revived at all, and what reviving starts, are the kind's (`revive`,
 * `revivedAs`, `kinds/kind.ts`), passed in by the caller: nothing here names a kind.
 */

/** "`dispatch revive NAME` starts it again", or what the kind says reviving starts. */
export function reviveAdvice(name: string, revivedAs = "it again"): string {
  return `\`dispatch revive ${name}\` starts ${revivedAs}`;
}
