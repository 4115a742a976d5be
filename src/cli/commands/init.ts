/** `dispatch init [--template T]`: write a starting dispatch.toml from a template. */
import { existsSync, writeFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import type { Command } from "commander";
import { nameFrom, unknownNameMessage } from "../../core/names.js";
import { UsageError } from "../exitCodes.js";
import { PROJECT_FILE, parseProjectFile } from "../project/projectFile.js";
import { DEFAULT_TEMPLATE, renderTemplate, templates, templatesDir } from "../project/templates.js";

/** Leaves room for `-server` and the like within a session name's 32 characters. */
const MAX_DERIVED_NAME = 20;

export function registerInit(program: Command): void {
  program
    .command("init")
    .description("write a starting dispatch.toml (project file) in this directory")
    .option("-t, --template <name>", `node, python, shell or one of yours (default ${DEFAULT_TEMPLATE})`)
    .option("--name <project>", "the project's name (default: the directory's)")
    .option("-f, --file <path>", `where to write (default ./${PROJECT_FILE})`)
    .option("--force", "overwrite an existing file")
    .option("--list", "list the templates")
    .action(init);
}

async function init(options: {
  template?: string;
  name?: string;
  file?: string;
  force?: boolean;
  list?: boolean;
}): Promise<void> {
  const all = templates();
  if (options.list) {
    for (const [name, { source }] of all) console.log(`${name.padEnd(12)} ${source}`);
    console.log(`\n(yours: ${templatesDir()}/NAME.toml)`);
    return;
  }
  const wanted = options.template ?? DEFAULT_TEMPLATE;
  const template = all.get(wanted);
  if (!template) {
    throw new UsageError(
      `${unknownNameMessage("template", wanted, all.keys())} (have: ${[...all.keys()].join(", ")})`,
    );
  }
  const path = resolve(options.file ?? PROJECT_FILE);
  if (existsSync(path) && !options.force) {
    throw new UsageError(`${path} already exists; pass --force to overwrite it`);
  }
  const project = options.name ?? derivedName(basename(dirname(path)));
  const text = renderTemplate(template.text, project);
  // A broken template (or name) is reported now, not at the first `up`.
  parseProjectFile(text, `${path} (from template '${wanted}')`);
  writeFileSync(path, text);
  console.log(`wrote ${path} (template ${wanted}); start it with \`dispatch up\``);
}

function derivedName(dir: string): string {
  return nameFrom(dir, MAX_DERIVED_NAME) ?? "project";
}
