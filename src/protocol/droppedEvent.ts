/**
 * A `gap` event at the seq of an event its host dropped, too large for the host link
 * (`host/linkFit`), carries why. Free of schemas, so the web UI can read it without zod.
 */

/**
 * What a `gap` says to a person, when it says more than that output was lost: why its host
 * dropped an event too large for the link. Undefined for a gap of lost output.
 */
export function droppedEventReason(data: Record<string, unknown>): string | undefined {
  return data.dropped !== undefined && typeof data.reason === "string" ? data.reason : undefined;
}

/**
 * What a `gap` says to a person: why its host dropped an event, else that output was lost, with
 * how much when that is known (a gap recorded without a count has 0 bytes: not "0 bytes lost").
 */
export function gapNote(data: Record<string, unknown>): string {
  const reason = droppedEventReason(data);
  if (reason !== undefined) return reason;
  const bytes = typeof data.bytes === "number" && data.bytes > 0 ? `${data.bytes} bytes of ` : "";
  return `${bytes}output lost here`;
}
