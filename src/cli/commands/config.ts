/** `dispatch config path` and `dispatch config show`: where the config file is, and what is in effect. */
import { join } from "node:path";
import type { Command } from "commander";
import { configDir, configFile, loadConfig } from "../config.js";

export function registerConfig(program: Command): void {
  const config = program.command("config").description("the config file: `config path`, `config show`");
  config
    .command("path")
    .description("print the config file's path (the one in use, else where to create it)")
    .action(() => {
      console.log(configFile() ?? join(configDir(), "config.toml"));
    });
  config
    .command("show")
    .description("print the settings in effect (file and defaults), as JSON")
    .action(() => {
      const loaded = loadConfig();
      console.log(
        JSON.stringify(
          {
            file: loaded.file ?? null,
            keys: { prefix: loaded.terminal.prefixKey, detach: loaded.terminal.detachKey },
            ui: { status_bar: loaded.terminal.statusBar },
            defaults: loaded.terminal.defaults,
            agents: loaded.agents,
            providers: loaded.providers,
            chat: loaded.chat,
          },
          null,
          2,
        ),
      );
    });
}
