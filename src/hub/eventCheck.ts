/**
 * Which events a host may write into a session's log: the core's, with their schemas, and
 * the session kind's own, with the kind's schemas. Anything else is refused before it is
 * stored, with a reason a person can act on.
 */
import type { SessionKind } from "../kinds/kind.js";
import { CORE_EVENT_SCHEMAS, type JsonEvent } from "../protocol/events.js";
import { describeIssues } from "../protocol/parse.js";

/** Why the event must not be stored, or undefined when it may. */
export function eventProblem(kind: SessionKind | undefined, event: JsonEvent): string | undefined {
  const schema =
    (CORE_EVENT_SCHEMAS as Record<string, (typeof CORE_EVENT_SCHEMAS)[keyof typeof CORE_EVENT_SCHEMAS]>)[
      event.type
    ] ?? kind?.events?.[event.type];
  if (!schema) {
    const own = Object.keys(kind?.events ?? {});
    const known = own.length > 0 ? `; '${kind?.name}' sessions write ${own.join(", ")}` : "";
    return `event type '${event.type}' is neither a core event nor one of the session kind's${known}`;
  }
  const parsed = schema.safeParse(event.data);
  return parsed.success ? undefined : `'${event.type}' event: ${describeIssues(parsed.error)}`;
}
