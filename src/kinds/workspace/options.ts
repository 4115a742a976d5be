/** A workspace's create options: which kernelspec to start; a revive may add evaluations to replay. */
import { z } from "zod";
import { EvalMode } from "../../protocol/workspace/events.js";

export const KernelName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._-]+$/, "kernelspec names are letters, digits, '.', '_' and '-'");

export const WorkspaceOptions = z.object({
  kernel: KernelName.default("python3"),
  /** Evaluations to re-run once the kernel is up (`dispatch revive --replay`). */
  replay: z
    .array(z.object({ code: z.string(), mode: EvalMode }))
    .max(100_000)
    .default([]),
});
export type WorkspaceOptions = z.infer<typeof WorkspaceOptions>;

/** What `dispatch revive` may ask of a workspace. */
export const WorkspaceReviveOptions = z.object({ replay: z.boolean().default(false) });
