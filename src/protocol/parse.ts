/**
 * Parse-or-bad-request: every boundary (WebSocket, REST, host link, a kind's options and
 * command arguments) parses `unknown` with a schema and reports the first problem the same
 * way, naming where it is: "invalid chat options: 'model': Too small".
 */
import type { z } from "zod";
import { DispatchError } from "../core/errors.js";

/** "'path.to.field': message" for the first issue (no path prefix at the top level). */
export function describeIssues(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "does not match the schema";
  const where = issue.path.length > 0 ? `'${issue.path.join(".")}': ` : "";
  return `${where}${plainSize(issue) ?? issue.message}`;
}

const UNITS: Record<string, [one: string, many: string]> = {
  string: ["character", "characters"],
  array: ["item", "items"],
  set: ["item", "items"],
  file: ["byte", "bytes"],
};

/** A size limit said plainly ("too long: at most 1,048,576 characters"), not as zod words it. */
function plainSize(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code !== "too_big" && issue.code !== "too_small") return undefined;
  const units = UNITS[issue.origin];
  if (!units) return undefined;
  const n = Number(issue.code === "too_big" ? issue.maximum : issue.minimum);
  const limit = `${n.toLocaleString("en-US")} ${units[n === 1 ? 0 : 1]}`;
  return issue.code === "too_big" ? `too long: at most ${limit}` : `too short: at least ${limit}`;
}

/** The parsed value, or a `bad_request` error "`what`: 'field': problem". */
export function parseOrBadRequest<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new DispatchError("bad_request", `${what}: ${describeIssues(parsed.error)}`);
}
