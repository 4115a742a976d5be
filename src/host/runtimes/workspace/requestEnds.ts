/**
 * When an execute request is over on iopub. The shell reply can come before the cell's outputs
 * (they travel on iopub, another socket), and the kernel's `idle` status with the request as
 * parent comes after all of them: so a request is done once both are in (the Jupyter messaging
 * spec's rule). The idle can be lost, though: iopub is a PUB socket, which drops messages past
 * its high-water mark when a cell floods it (xeus-python does, printing line by line). So a
 * replied request is also done when
 *  - the kernel starts another execute request (its `busy`): a kernel publishes a request's
 *    idle before it takes the next one off its shell channel, so this one's outputs are all out;
 *  - or its iopub has been quiet for `QUIET_AFTER_REPLY_MS` since the reply or its last message
 *    (a flood still being delivered keeps it open), at most `MAX_AFTER_REPLY_MS`.
 * The host sends the next request on the reply (`CellQueue`), not on this: the kernel's shell
 * is free then, and that request's `busy` ends this one at once.
 */
import type { JupyterMessage } from "../jupyter/wire.js";

/** After the reply (or a message of the request after it), how long a silent iopub means done. */
export const QUIET_AFTER_REPLY_MS = 2000;
/** However long its output keeps coming, a replied request is done this long after its reply. */
export const MAX_AFTER_REPLY_MS = 30_000;

/**
 * How a replied request was found over: its own idle came, the kernel started another request
 * (this one's idle was lost), its iopub went quiet without either (its idle was lost, and
 * the kernel has nothing else of ours to run: it is idle, whatever its last status said), or
 * its output still came at `MAX_AFTER_REPLY_MS` (`overdue`: its idle may come yet).
 */
export type RequestEnd = "idle" | "next" | "quiet" | "overdue";

interface Followed {
  idle: Promise<void>;
  markIdle(): void;
  /** Settles when another execute request starts after this one's reply. */
  next: Promise<void>;
  markNext(): void;
  replied: boolean;
  /** When its reply or its last iopub message after it came (`Date.now()`). */
  lastHeard: number;
}

export class RequestEnds {
  private readonly followed = new Map<string, Followed>();

  /** Follows the request `id`; call as it is sent, before any of its messages can come. */
  follow(id: string): void {
    let markIdle = () => {};
    const idle = new Promise<void>((resolve) => {
      markIdle = resolve;
    });
    let markNext = () => {};
    const next = new Promise<void>((resolve) => {
      markNext = resolve;
    });
    this.followed.set(id, { idle, markIdle, next, markNext, replied: false, lastHeard: Date.now() });
  }

  /** No longer followed (its reply failed: the kernel died or restarted). */
  forget(id: string): void {
    this.followed.delete(id);
  }

  /** Reads every iopub message, whoever else takes it. */
  onIopub(message: JupyterMessage): void {
    const parentId = message.parent.msg_id;
    const request = parentId ? this.followed.get(parentId) : undefined;
    if (request) request.lastHeard = Date.now();
    if (message.header.msg_type !== "status") return;
    const state = message.content.execution_state;
    if (state === "idle") request?.markIdle();
    // Only replied ones: a request still waiting in the kernel's shell queue may be behind it.
    if (state === "busy" && message.parent.msg_type === "execute_request")
      for (const [id, other] of this.followed) if (id !== parentId && other.replied) other.markNext();
  }

  /** Whether any request is followed (sent and not yet over). */
  get following(): boolean {
    return this.followed.size > 0;
  }

  /** Called once the request's reply is in: settles when the request is over on iopub (above), saying how. */
  async afterReply(id: string): Promise<RequestEnd> {
    const request = this.followed.get(id);
    if (!request) return "idle";
    request.replied = true;
    request.lastHeard = Date.now();
    const deadline = request.lastHeard + MAX_AFTER_REPLY_MS;
    try {
      for (;;) {
        const now = Date.now();
        const wait = Math.min(request.lastHeard + QUIET_AFTER_REPLY_MS, deadline) - now;
        if (wait <= 0) return now >= deadline ? "overdue" : "quiet";
        let timer: NodeJS.Timeout | undefined;
        const end = await Promise.race([
          request.idle.then((): RequestEnd => "idle"),
          request.next.then((): RequestEnd => "next"),
          new Promise<undefined>((resolve) => {
            timer = setTimeout(() => resolve(undefined), wait);
          }),
        ]);
        clearTimeout(timer);
        if (end) return end;
      }
    } finally {
      this.followed.delete(id);
    }
  }
}
