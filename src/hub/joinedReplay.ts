/**
 * Replayed output joined, for a client that attached with `coalesce`: a page of stored events
 * with each run of consecutive output events as one frame, carrying the seq and ts of the run's
 * last event (as the attach's `coalesce` promises). A restarted hub's clients replay ~50 small
 * events per session; one frame each was most of the replay's cost on both sides.
 */
import { isOutputEvent, type OutputEvent, type SessionEvent } from "../protocol/events.js";
import { encodeOutputFrameParts } from "../protocol/frames.js";

/**
 * A joined frame holds at most this much output: no larger than one event's frame can be (a
 * host's output events are at most 64 KiB), so no client meets a frame it would not otherwise.
 */
const JOINED_FRAME_MAX_BYTES = 64 * 1024;

/** One send of a joined replay: an event as stored, or a run of output events in one frame. */
export type ReplayPart =
  | { event: SessionEvent }
  | {
      frame: Uint8Array;
      /** The output events in the frame, oldest first. */
      run: OutputEvent[];
      /** The seq of the run's last event, which the frame carries. */
      seq: number;
    };

/** The page's events in order, as they are to be sent; one alone in its run is sent as stored. */
export function* joinedReplay(page: readonly SessionEvent[]): Generator<ReplayPart> {
  let run: OutputEvent[] = [];
  let bytes = 0;
  for (const event of page) {
    const output = isOutputEvent(event);
    if (!output || bytes + event.data.length > JOINED_FRAME_MAX_BYTES) {
      if (run.length > 0) yield partOf(run);
      run = [];
      bytes = 0;
    }
    if (output) {
      run.push(event);
      bytes += event.data.length;
    } else {
      yield { event };
    }
  }
  if (run.length > 0) yield partOf(run);
}

function partOf(run: OutputEvent[]): ReplayPart {
  const last = run.at(-1) as OutputEvent;
  if (run.length === 1) return { event: last };
  const frame = encodeOutputFrameParts(
    { session: last.session, seq: last.seq, ts: last.ts },
    run.map((event) => event.data),
  );
  return { frame, run, seq: last.seq };
}
