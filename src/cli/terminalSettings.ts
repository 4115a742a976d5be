/**
 * The terminal client's part of the config file (`config.ts` loads the file):
 *
 *   [keys]      prefix = "ctrl-]"    detach = "ctrl-\\"   (ctrl-<key> or "none")
 *   [ui]        status_bar = true
 *   [defaults]  cwd = "~/src"        command = ["zsh", "-l"]   host = "local"
 */
import { homedir } from "node:os";
import { resolve } from "node:path";
import { z } from "zod";
import { DEFAULT_DETACH_KEY, parseDetachKey } from "./detachKey.js";

export const DEFAULT_PREFIX_KEY = "ctrl-]";

const ControlKey = z.string().refine(
  (text) => {
    try {
      parseDetachKey(text);
      return true;
    } catch {
      return false;
    }
  },
  { message: "use ctrl-<key> such as ctrl-], ctrl-\\ or ctrl-a, or none" },
);

export const KeysSection = z
  .object({ prefix: ControlKey.default(DEFAULT_PREFIX_KEY), detach: ControlKey.default(DEFAULT_DETACH_KEY) })
  .strict()
  .default({ prefix: DEFAULT_PREFIX_KEY, detach: DEFAULT_DETACH_KEY });

export const UiSection = z
  .object({ status_bar: z.boolean().default(true) })
  .strict()
  .default({ status_bar: true });

export const DefaultsSection = z
  .object({
    cwd: z.string().min(1).optional(),
    command: z.array(z.string().min(1)).min(1).optional(),
    host: z.string().min(1).optional(),
  })
  .strict()
  .default({});

export interface TerminalSettings {
  prefixKey: string;
  detachKey: string;
  statusBar: boolean;
  defaults: { cwd?: string; command?: string[]; host?: string };
}

export function terminalSettings(sections: {
  keys: z.infer<typeof KeysSection>;
  ui: z.infer<typeof UiSection>;
  defaults: z.infer<typeof DefaultsSection>;
}): TerminalSettings {
  const { cwd, command, host } = sections.defaults;
  return {
    prefixKey: sections.keys.prefix,
    detachKey: sections.keys.detach,
    statusBar: sections.ui.status_bar,
    defaults: {
      ...(cwd !== undefined ? { cwd: resolve(cwd.replace(/^~(?=$|\/)/, homedir())) } : {}),
      ...(command !== undefined ? { command } : {}),
      ...(host !== undefined ? { host } : {}),
    },
  };
}
