/**
 * What a kernel's process prints while it starts, held until it is known whether the start
 * counts. The ports in its connection file are free when chosen (`connection.ts`) but only
 * bound by the kernel seconds later, once Python has imported its modules: meanwhile another
 * process can take one (a hub, a browser, another host's kernel choosing ports the same way),
 * and the kernel exits with `Address already in use`. Such a start is tried again on fresh
 * ports, and its traceback would only mislead; any other start's output is handed on whole.
 */

/** ZeroMQ's words for EADDRINUSE, as ipykernel (pyzmq) and the xeus kernels (cppzmq) print them. */
const PORT_TAKEN = "Address already in use";
/** Bound on what is held: a start's output is a few lines, a traceback a few KiB. */
const HELD_MAX_CHARS = 64 * 1024;
/** How long an exited process's pipes may take to deliver its last output. */
const DRAIN_MS = 1000;

export class StartOutput {
  private held: string[] | undefined = [];
  private heldChars = 0;
  private tail = "";

  constructor(private readonly deliver: (text: string) => void) {}

  /** A chunk of the process's stdout or stderr: held while the kernel starts, then handed on. */
  push(text: string): void {
    this.tail = (this.tail + text).slice(-HELD_MAX_CHARS);
    if (!this.held) return this.deliver(text);
    if (this.heldChars + text.length > HELD_MAX_CHARS) return this.deliver(text);
    this.held.push(text);
    this.heldChars += text.length;
  }

  /** The start counts (it succeeded, or failed for a reason to show): what was held goes on. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const text of held) this.deliver(text);
  }

  /** The start is dropped (tried again on other ports): what it printed is not shown. */
  discard(): void {
    this.held = undefined;
  }

  /** Whether the process said a port it was to bind was taken. */
  get portTaken(): boolean {
    return this.tail.includes(PORT_TAKEN);
  }

  /**
   * Waits until `closed` (the process's pipes are closed: all it printed is in) or `DRAIN_MS`:
   * a process's exit can come before its last output.
   */
  static async drained(closed: Promise<unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, DRAIN_MS)))]);
    clearTimeout(timer);
  }
}
