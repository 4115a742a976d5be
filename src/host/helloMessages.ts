/**
 * The host's hello as the messages that carry it. The hello lists every session the host keeps
 * with its kind options (a plug-in's or a chat's, an agent's profile), so many sessions with
 * large options made it larger than the `MAX_HOST_MESSAGE_BYTES` the hub accepts: the hub
 * closed the link on it (1009) and the host sent the same hello again on every reconnect, so
 * every session of the host was lost to the hub for good. A hello that fits is sent as before,
 * as one message; one that does not is sent as `hello-part` messages carrying its sessions,
 * each under the limit, then the `hello` itself with none (the hub takes the parts' sessions as
 * the hello's). A single session too large even for a part of its own (kind options near the
 * limit) is sent without its kind options, and the host says so: the session is still adopted,
 * and the hub keeps the options its own record holds.
 */
import { mib } from "../core/byteSize.js";
import { type HostInfo, type HostSessionState, MAX_HOST_MESSAGE_BYTES } from "../protocol/host.js";

export interface Hello {
  protocol: number;
  host: HostInfo;
  sessions: readonly HostSessionState[];
}

/** A session sent with less than it holds, and why (for the host's log). */
export interface TrimmedSession {
  id: string;
  problem: string;
}

export interface EncodedHello {
  /** The messages to send, in order: any `hello-part`s, then the `hello`. */
  wires: string[];
  trimmed: TrimmedSession[];
}

const PART_HEAD = '{"type":"hello-part","sessions":[';
const PART_TAIL = "]}";
const PART_ENVELOPE_BYTES = PART_HEAD.length + PART_TAIL.length;

/** The hello as one message when it fits the link, else as parts (see the module's comment). */
export function encodeHello(hello: Hello): EncodedHello {
  const limitBytes = MAX_HOST_MESSAGE_BYTES;
  const whole = stringify({ type: "hello", ...hello });
  if (whole !== undefined && Buffer.byteLength(whole) <= limitBytes) return { wires: [whole], trimmed: [] };

  const trimmed: TrimmedSession[] = [];
  const wires: string[] = [];
  let part: string[] = [];
  let partBytes = PART_ENVELOPE_BYTES;
  for (const state of hello.sessions) {
    const fitted = fitSession(state);
    if (fitted.problem) trimmed.push({ id: state.id, problem: fitted.problem });
    if (part.length > 0 && partBytes + 1 + fitted.bytes > limitBytes) {
      wires.push(PART_HEAD + part.join(",") + PART_TAIL);
      part = [];
      partBytes = PART_ENVELOPE_BYTES;
    }
    partBytes += (part.length > 0 ? 1 : 0) + fitted.bytes;
    part.push(fitted.wire);
  }
  if (part.length > 0) wires.push(PART_HEAD + part.join(",") + PART_TAIL);
  wires.push(JSON.stringify({ type: "hello", protocol: hello.protocol, host: hello.host, sessions: [] }));
  return { wires, trimmed };
}

/**
 * One session's state as JSON that fits a part of its own: whole when it fits, else without its kind
 * options, else (a command or name of megabytes) with only what the hub needs to keep it.
 */
function fitSession(state: HostSessionState): { wire: string; bytes: number; problem?: string } {
  const maxBytes = MAX_HOST_MESSAGE_BYTES - PART_ENVELOPE_BYTES;
  const whole = measured(state);
  if (whole && whole.bytes <= maxBytes) return whole;
  const { kindOptions: _kindOptions, ...withoutOptions } = state;
  const lighter = measured(withoutOptions);
  const size = whole ? mib(whole.bytes) : "too large to encode";
  const limit = mib(MAX_HOST_MESSAGE_BYTES);
  if (lighter && lighter.bytes <= maxBytes) {
    return {
      ...lighter,
      problem: `session ${describe(state)} is ${size} in the host's hello, more than the ${limit} one message from a host to the hub may hold, so the hello leaves out its kind options; the hub keeps the session and the options its own record holds (a hub without its record adopts it without them: set them again, or start it anew)`,
    };
  }
  const { name: _name, command: _command, cwd: _cwd, project: _project, ...bare } = withoutOptions;
  const core = measured(bare) as { wire: string; bytes: number };
  return {
    ...core,
    problem: `session ${describe(state)} is ${size} in the host's hello, more than the ${limit} one message from a host to the hub may hold, even without its kind options, so the hello leaves out its kind options, name, command, cwd and project; the hub keeps the session and what its own record holds (a hub without its record adopts it under a made-up name: rename it)`,
  };
}

function describe(state: HostSessionState): string {
  return state.name !== undefined && state.name.length <= 64 ? `${state.id} ('${state.name}')` : state.id;
}

function measured(value: unknown): { wire: string; bytes: number } | undefined {
  const wire = stringify(value);
  return wire === undefined ? undefined : { wire, bytes: Buffer.byteLength(wire) };
}

/** JSON text, or undefined when it is too long for a string at all (RangeError). */
function stringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (err instanceof RangeError) return undefined;
    throw err;
  }
}
