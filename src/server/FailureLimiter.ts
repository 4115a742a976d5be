/**
 * One `FailureLimiter` guards every way in (REST, login, WebSocket upgrade and hello, the host
 * endpoint). It never locks the right credential out and never slows it: a credential is
 * checked at once and a good one passes at once; past a few failures from an address, each
 * further failure is answered only after a delay that doubles per failure (capped), and while
 * that address has many failures held, its further attempts are refused unchecked. So a
 * guesser gets a few guesses a second at most, however many sockets it opens.
 */
import { DispatchError } from "../core/errors.js";

/** Failures within this window count towards an address's delay. */
const FAILURE_WINDOW_MS = 60_000;
/** Failures from one address answered at full speed (typos) before attempts are slowed. */
const FREE_FAILURES = 5;
/** The first delay once slowed; it doubles with every further failure. */
const BASE_DELAY_MS = 100;
/** The longest any attempt waits: slow for a guesser, bearable for the right key. */
const MAX_DELAY_MS = 2_000;
/** Failures held at once for one address; beyond that its attempts are refused unchecked. */
const MAX_WAITING_PER_ADDRESS = 16;

/** Slows repeated failures per address; see the module comment. */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly waiting = new Map<string, number>();

  /** Recent failures from an address. */
  count(address: string, now = Date.now()): number {
    return this.recent(address, now).length;
  }

  /** How long the next failure from this address is held before it is answered. */
  delayMs(address: string, now = Date.now()): number {
    const over = this.count(address, now) - FREE_FAILURES;
    return over < 0 ? 0 : Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** over);
  }

  /**
   * One attempt from an address: refused unchecked while too many of its failures are still
   * being held; otherwise `check` runs at once, a success returns at once (the right
   * credential is never slowed), and a failure is held for the address's delay before the
   * caller may answer it. Returns undefined on failure. A `check` that throws (the store
   * unavailable to check the credential) is no failure: neither counted nor held.
   */
  async attempt<T>(address: string, check: () => T | undefined): Promise<T | undefined> {
    const held = this.waiting.get(address) ?? 0;
    if (held >= MAX_WAITING_PER_ADDRESS) {
      throw new DispatchError(
        "rate_limited",
        `too many failed sign-in attempts at once from ${address} (${this.count(address)} in the last minute); wait a moment and try again`,
      );
    }
    const result = check();
    if (result !== undefined) return result;
    this.recordFailure(address);
    const delay = this.delayMs(address);
    if (delay > 0) {
      this.waiting.set(address, held + 1);
      try {
        await new Promise((resolve) => setTimeout(resolve, delay));
      } finally {
        const left = (this.waiting.get(address) ?? 1) - 1;
        if (left <= 0) this.waiting.delete(address);
        else this.waiting.set(address, left);
      }
    }
    return undefined;
  }

  recordFailure(address: string, now = Date.now()): void {
    const recent = this.recent(address, now);
    recent.push(now);
    this.failures.set(address, recent);
  }

  private recent(address: string, now: number): number[] {
    const list = (this.failures.get(address) ?? []).filter((t) => now - t < FAILURE_WINDOW_MS);
    if (list.length === 0) this.failures.delete(address);
    return list;
  }
}
