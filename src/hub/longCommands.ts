/**
 * Long-running session commands (an evaluation: a notebook cell may take minutes) wait for the
 * runtime's answer with no deadline; what ends the wait without one is the session's end.
 */
import { DispatchError } from "../core/errors.js";
import { reviveHint } from "./endedSession.js";
import type { HostLink } from "./HostLink.js";
import type { HubEvents } from "./HubEvents.js";
import type { SessionDirectory } from "./SessionDirectory.js";

/**
 * A long-running command's answer, or `session_exited` if the session ends without one. The
 * host normally answers (a dead kernel aborts its evaluations), but its answer may be read
 * after the end is stored. So on the end a quick request follows on the same link: the host
 * replies in order, so by its reply any answer sent before has arrived. A command still
 * unanswered then fails.
 */
export function answerUnlessEnded(
  hub: { bus: HubEvents; directory: SessionDirectory },
  request: { id: string; verb: string; link: HostLink; answer: Promise<unknown> },
): Promise<unknown> {
  const { id, verb, link, answer } = request;
  return new Promise((resolve, reject) => {
    const stop = hub.bus.on("exited", (session) => {
      if (session !== id) return;
      stop();
      const failUnanswered = () => {
        const record = hub.directory.get(id);
        const how = record?.reason ? ` (${record.reason})` : "";
        reject(
          new DispatchError(
            "session_exited",
            `session '${record?.name ?? id}' ended${how} before '${verb}' finished${record ? reviveHint(record) : ""}`,
          ),
        );
      };
      // Whether the host answers this or the link drops, what it sent before is in.
      link.request({ type: "stats" }).then(failUnanswered, failUnanswered);
    });
    answer.then(
      (data) => {
        stop();
        resolve(data);
      },
      (err: unknown) => {
        stop();
        reject(err);
      },
    );
  });
}
