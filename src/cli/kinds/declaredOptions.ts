/**
 * The options a project file may give a kind that the CLI resolves (`CliKind.declare`), read
 * strictly: a mistyped key is named with a did-you-mean and the keys the kind takes, instead of
 * reaching the hub as something it never reads.
 */
import type { z } from "zod";
import { unknownNameMessage } from "../../core/names.js";
import { UsageError } from "../exitCodes.js";

export function readDeclaredOptions<T extends z.ZodRawShape>(
  kind: string,
  shape: z.ZodObject<T>,
  options: Record<string, unknown> | undefined,
): z.infer<z.ZodObject<T>> {
  const keys = Object.keys(shape.shape);
  const unknown = Object.keys(options ?? {}).filter((key) => !keys.includes(key));
  if (unknown.length > 0) {
    const named = unknown.map((key) => `'options': ${unknownNameMessage("key", key, keys)}`);
    throw new UsageError(`${named.join("; ")} (${kind} sessions take ${keys.join(", ")})`);
  }
  const parsed = shape.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `'options.${issue.path.join(".")}'` : "'options'";
  throw new UsageError(`${where}: ${issue?.message ?? "invalid"} (${kind} sessions take ${keys.join(", ")})`);
}
