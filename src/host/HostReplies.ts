/**
 * How the host answers the hub's requests: one `reply` per `ref`, the result or the error, and
 * never a message larger than the hub accepts. A reply names the session it is about, so it
 * can leave after that session's earlier events (`HubOutbox.reply`).
 */
import type { Logger } from "pino";
import { mib } from "../core/byteSize.js";
import { DispatchError, errorFields, toDispatchError } from "../core/errors.js";
import { type HostMessage, MAX_HOST_MESSAGE_BYTES } from "../protocol/host.js";

export interface HostRepliesOptions {
  /**
   * Sends an encoded reply to the hub, about `session` when the request named one. Called when
   * the answer is ready, so an answer that took a while (a runtime's command) goes to the hub
   * connected by then, after the events the session produced meanwhile.
   */
  send: (wire: string, session: string | undefined) => void;
  logger: Logger;
}

export class HostReplies {
  constructor(private readonly options: HostRepliesOptions) {}

  /**
   * Answers request `ref` with what `action` returns: at once for a plain result, once settled
   * for a promise (a runtime's command); a throw or rejection becomes an error reply. `what`
   * names the request in the error sent when the answer is too large; `session` is the session
   * the request is about, if any.
   */
  answer(
    ref: number,
    action: () => unknown,
    { what = "the request", session }: { what?: string; session?: string } = {},
  ): void {
    const fail = (err: unknown) => {
      const error = toDispatchError(err);
      this.options.logger.warn({ err: error }, "host request failed");
      const message: HostMessage = {
        type: "reply",
        ref,
        ok: false,
        error: errorFields(error),
      };
      this.options.send(JSON.stringify(message), session);
    };
    const succeed = (data: unknown) => {
      const wire = encodeReply({ type: "reply", ref, ok: true, data }, what);
      if (wire instanceof DispatchError) fail(wire);
      else this.options.send(wire, session);
    };
    try {
      const data = action();
      if (data instanceof Promise) {
        data.then(succeed, fail);
        return;
      }
      succeed(data);
    } catch (err) {
      fail(err);
    }
  }
}

/**
 * A successful reply as sent, or the error to send instead: the hub closes a host's link on a
 * message over `MAX_HOST_MESSAGE_BYTES`, which would cut off every session of the host (and
 * again on each retry), so an answer that large is never sent.
 */
function encodeReply(message: HostMessage & { type: "reply" }, what: string): string | DispatchError {
  let wire: string;
  try {
    wire = JSON.stringify(message);
  } catch (err) {
    // Too long for a string at all (RangeError), or not JSON (a BigInt): not sendable either.
    return new DispatchError(
      "internal",
      `the answer to ${what} could not be encoded: ${(err as Error).message}`,
    );
  }
  const bytes = Buffer.byteLength(wire);
  if (bytes <= MAX_HOST_MESSAGE_BYTES) return wire;
  return new DispatchError(
    "too_large",
    `the answer to ${what} is ${mib(bytes)}, more than the ${mib(MAX_HOST_MESSAGE_BYTES)} one message from a host to the hub may hold, so the host sent this error instead (its link and sessions are unharmed); ask for less at a time, or keep what the session holds smaller`,
  );
}
