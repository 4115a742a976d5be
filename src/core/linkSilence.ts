/**
 * When a client takes its link to the hub for dead. A link can die without closing (a network
 * gone silently, a proxy that stops forwarding, a laptop's suspend), and the socket then reports
 * nothing for minutes while what was sent waits. So: something the hub answers at once (an
 * input's receipt, a typed key's reply) was sent, and then no word at all came from the hub
 * (neither that answer, nor output, nor any other message) for `LINK_SILENT_MS`. The terminal
 * client (`cli/LinkWatch.ts`) and the web page (`web/src/lib/link-liveness.ts`) both go by it.
 */

/**
 * An answer comes within milliseconds, and a busy hub still sends output or other answers
 * meanwhile. A false alarm (a hub stalled this long) costs only a reconnect.
 */
export const LINK_SILENT_MS = 5_000;

/**
 * Milliseconds left before the link counts as dead, from the later of `sentAt` (the oldest
 * unanswered send) and `heardAt` (the last word from the hub); 0 or less: dead now.
 */
export function silenceLeft(sentAt: number, heardAt: number, now: number): number {
  return Math.max(sentAt, heardAt) + LINK_SILENT_MS - now;
}
