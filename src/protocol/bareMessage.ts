/**
 * The messages sent per key typed (a client's `input`, the hub's `input` and `ack` to its
 * host), taken as JSON gave them when they are exactly what their schema accepts: zod's parse
 * of each built a new object, its checks' contexts and the union's, ~1-2 KB of garbage per
 * message (docs/BENCHMARKS.md, "The hub's garbage per key"). Anything else (a field missing,
 * one more, a value out of range) goes through the schema, which says what is wrong.
 *
 * Each rule here must accept only what the schema's field accepts: the tests compare them.
 */

/** Whether one field's value is what the schema would take unchanged. */
export type FieldRule = (value: unknown) => boolean;

/** A flat message's fields: each one's rule, and whether it may be absent. */
export type BareShape = Readonly<Record<string, { rule: FieldRule; optional?: true }>>;

/** `json` when it has every required field of `shape`, no other field, and each passes its rule. */
export function bareMessage<T>(json: unknown, shape: BareShape): T | undefined {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  let required = 0;
  for (const key in json) {
    const field = Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (!field?.rule((json as Record<string, unknown>)[key])) return undefined;
    if (!field.optional) required++;
  }
  return required === requiredCount(shape) ? (json as T) : undefined;
}

const requiredCounts = new WeakMap<BareShape, number>();

function requiredCount(shape: BareShape): number {
  let count = requiredCounts.get(shape);
  if (count === undefined) {
    count = Object.values(shape).filter((field) => !field.optional).length;
    requiredCounts.set(shape, count);
  }
  return count;
}

/** `z.literal(value)`. */
export const literal =
  (value: string): FieldRule =>
  (v) =>
    v === value;

/** `z.string()`, with `.min(min)` and `.max(max)` when given. */
export const text =
  (min = 0, max = Number.POSITIVE_INFINITY): FieldRule =>
  (v) =>
    typeof v === "string" && v.length >= min && v.length <= max;

/** `z.number().int()`, with `.min(min)` when given. */
export const integer =
  (min = Number.MIN_SAFE_INTEGER): FieldRule =>
  (v) =>
    Number.isSafeInteger(v) && (v as number) >= min;

const INPUT_ID: BareShape = { stream: { rule: text(8, 64) }, seq: { rule: integer(1) } };

/** `InputId` (`{stream, seq}`, protocol/inputId.ts). */
export const inputId: FieldRule = (v) => bareMessage(v, INPUT_ID) !== undefined;

/**
 * Longest `input.data` a client may send: `MAX_CLIENT_MESSAGE_BYTES` of protocol/client.ts,
 * which the host does not load (a test keeps the two equal).
 */
export const MAX_CLIENT_INPUT = 1024 * 1024;
const refText = text(0, 64);
const anyText = text();

/** The client's `input` (`ClientMessage`). */
export const CLIENT_INPUT: BareShape = {
  type: { rule: literal("input") },
  ref: { rule: (v) => refText(v) || Number.isSafeInteger(v), optional: true },
  session: { rule: text(1, 64) },
  data: { rule: text(0, MAX_CLIENT_INPUT) },
  id: { rule: inputId, optional: true },
};

/** The hub's `input` to its host (`HubToHostMessage`). */
export const HOST_INPUT: BareShape = {
  type: { rule: literal("input") },
  session: { rule: anyText },
  data: { rule: anyText },
  by: { rule: anyText, optional: true },
  id: { rule: inputId, optional: true },
};

/** The hub's `ack` to its host (`HubToHostMessage`). */
export const HOST_ACK: BareShape = {
  type: { rule: literal("ack") },
  session: { rule: anyText },
  seq: { rule: integer(0) },
};
