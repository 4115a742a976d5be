/**
 * Starting points for `dispatch init`: a few built in, plus any `NAME.toml` in the user's
 * config directory (`~/.config/dispatch/templates/`), which win over built-ins of the same
 * name. `{{project}}` in a template becomes the project's name.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { configDir } from "../config.js";

const SHELL = `# dispatch project file: \`dispatch up\` starts these sessions, \`dispatch down\` stops them.
project = "{{project}}"

[[session]]
name = "{{project}}-shell"
# kind = "terminal"        # terminal, agent, chat, ... (\`dispatch up\` checks the hub's kinds)
# command = "htop"         # a string is split into words; ["sh", "-c", "..."] for shell syntax
# cwd = "."                # relative to this file
# host = "local"           # any connected host
`;

const NODE = `# dispatch project file: \`dispatch up\` starts these sessions, \`dispatch down\` stops them.
project = "{{project}}"

[[session]]
name = "{{project}}-dev"
command = "npm run dev"
ready = "ready|listening|localhost:\\\\d+"
ready_timeout = "60s"

[[session]]
name = "{{project}}-test"
command = "npx vitest"
after = "{{project}}-dev"

[[session]]
name = "{{project}}-shell"
`;

const PYTHON = `# dispatch project file: \`dispatch up\` starts these sessions, \`dispatch down\` stops them.
project = "{{project}}"

[[session]]
name = "{{project}}-server"
command = "python3 -m http.server 8000"
ready = "Serving HTTP"

[[session]]
name = "{{project}}-repl"
command = "python3"

[[session]]
name = "{{project}}-shell"
env = { PYTHONDONTWRITEBYTECODE = "1" }
`;

const BUILT_IN: Record<string, string> = { shell: SHELL, node: NODE, python: PYTHON };
export const DEFAULT_TEMPLATE = "shell";

export function templatesDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), "templates");
}

/** Every template by name: built-in, then the user's. */
export function templates(
  env: NodeJS.ProcessEnv = process.env,
): Map<string, { text: string; source: string }> {
  const all = new Map(Object.entries(BUILT_IN).map(([name, text]) => [name, { text, source: "built-in" }]));
  const dir = templatesDir(env);
  if (existsSync(dir)) {
    for (const entry of readdirSync(dir)) {
      if (!entry.endsWith(".toml")) continue;
      const path = join(dir, entry);
      all.set(entry.slice(0, -".toml".length), { text: readFileSync(path, "utf8"), source: path });
    }
  }
  return all;
}

export function renderTemplate(text: string, project: string): string {
  return text.replaceAll("{{project}}", project);
}
