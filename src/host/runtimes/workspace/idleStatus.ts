/**
 * A request's end as iopub tells it. The shell reply can come before the outputs of the cell
 * (they travel on iopub), and the `idle` status with the request as parent comes after all of
 * them: so a request is done once both are in, or a while after the reply if the idle is lost.
 */

/** After the reply, how long to wait for the kernel's idle status (outputs come before it). */
const IDLE_AFTER_REPLY_MS = 2000;

export interface IdleStatus {
  /** Settles when `markIdle` is called: the kernel's idle status for the request came. */
  readonly idle: Promise<void>;
  markIdle(): void;
}

export function idleStatus(): IdleStatus {
  let markIdle = () => {};
  const idle = new Promise<void>((resolve) => {
    markIdle = resolve;
  });
  return { idle, markIdle };
}

/** Called once the reply is in: waits for the idle status, at most `IDLE_AFTER_REPLY_MS`. */
export async function afterReply(status: IdleStatus): Promise<void> {
  await Promise.race([status.idle, new Promise((resolve) => setTimeout(resolve, IDLE_AFTER_REPLY_MS))]);
}
