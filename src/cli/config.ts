/**
 * The user's config: `$XDG_CONFIG_HOME/dispatch/config.toml` (or `config.json`; `~/.config`
 * when XDG_CONFIG_HOME is unset). Agent profiles (`[agents.NAME]`: command, args, env),
 * chat provider profiles (`[providers.NAME]`: type, base_url, model, api_key_env, ...) and
 * `[chat]` settings. Built-in profiles cover the common agents and providers; the file adds
 * or overrides them. Errors name the file and the line.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse as parseToml, TomlError } from "smol-toml";
import { z } from "zod";
import { UsageError } from "./exitCodes.js";
import {
  DefaultsSection,
  KeysSection,
  type TerminalSettings,
  terminalSettings,
  UiSection,
} from "./terminalSettings.js";

export const AgentProfile = z
  .object({
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
  })
  .strict();
export type AgentProfile = z.infer<typeof AgentProfile>;

export const ProviderProfile = z
  .object({
    type: z.enum(["anthropic", "openai"]),
    base_url: z.string().url().optional(),
    model: z.string().min(1),
    api_key_env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .optional(),
    system: z.string().optional(),
    max_tokens: z.number().int().positive().optional(),
    max_retries: z.number().int().min(0).max(10).optional(),
  })
  .strict();
export type ProviderProfile = z.infer<typeof ProviderProfile>;

const ConfigFile = z
  .object({
    agents: z.record(z.string(), AgentProfile).default({}),
    providers: z.record(z.string(), ProviderProfile).default({}),
    chat: z
      .object({
        /** Concurrent LLM API calls per host. */
        max_concurrent: z.number().int().min(1).max(1000).default(5),
        /** Provider profile for new chats when none is named. */
        provider: z.string().optional(),
      })
      .strict()
      .default({ max_concurrent: 5 }),
    /** The terminal client: `[keys]`, `[ui]`, `[defaults]` (see `terminalSettings.ts`). */
    keys: KeysSection,
    ui: UiSection,
    defaults: DefaultsSection,
  })
  // Other sections belong to other parts of dispatch (the terminal client's settings).
  .passthrough();

export interface DispatchConfig {
  file: string | undefined;
  agents: Record<string, AgentProfile>;
  providers: Record<string, ProviderProfile>;
  chat: { maxConcurrent: number; provider: string };
  terminal: TerminalSettings;
}

const BUILTIN_AGENTS: Record<string, AgentProfile> = Object.fromEntries(
  ["claude", "codex", "gemini", "aider", "opencode"].map((name) => [
    name,
    { command: name, args: [], env: {} },
  ]),
);

const BUILTIN_PROVIDERS: Record<string, ProviderProfile> = {
  anthropic: { type: "anthropic", model: "claude-sonnet-4-5", api_key_env: "ANTHROPIC_API_KEY" },
  openai: { type: "openai", model: "gpt-4o-mini", api_key_env: "OPENAI_API_KEY" },
  ollama: { type: "openai", base_url: "http://127.0.0.1:11434/v1", model: "llama3.2" },
};

/** `$XDG_CONFIG_HOME/dispatch` (`~/.config/dispatch` when XDG_CONFIG_HOME is unset). */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.length > 0 ? env.XDG_CONFIG_HOME : join(homedir(), ".config");
  return join(base, "dispatch");
}

/** The config file in use, if any: `config.toml` first, then `config.json`. */
export function configFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const name of ["config.toml", "config.json"]) {
    const file = join(configDir(env), name);
    if (existsSync(file)) return file;
  }
  return undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): DispatchConfig {
  const file = configFile(env);
  const parsed = file ? parseFile(file) : ConfigFile.parse({});
  return {
    file,
    agents: { ...BUILTIN_AGENTS, ...parsed.agents },
    providers: { ...BUILTIN_PROVIDERS, ...parsed.providers },
    chat: { maxConcurrent: parsed.chat.max_concurrent, provider: parsed.chat.provider ?? "anthropic" },
    terminal: terminalSettings(parsed),
  };
}

function parseFile(file: string): z.infer<typeof ConfigFile> {
  const text = readFileSync(file, "utf8");
  let data: unknown;
  try {
    data = file.endsWith(".json") ? JSON.parse(text) : parseToml(text);
  } catch (err) {
    if (err instanceof TomlError) throw new UsageError(`${file}:${err.line}: ${err.message.split("\n")[0]}`);
    throw new UsageError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const result = ConfigFile.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String) ?? [];
  const line = lineOf(text, path);
  throw new UsageError(
    `${file}${line ? `:${line}` : ""}: '${path.join(".")}': ${issue?.message ?? "invalid"}`,
  );
}

/** The line where a key path is written (best effort: its table header, then the key). */
function lineOf(text: string, path: readonly string[]): number | undefined {
  const lines = text.split("\n");
  let from = 0;
  let found: number | undefined;
  for (let depth = path.length; depth > 0; depth--) {
    const header = path.slice(0, depth).join(".");
    const index = lines.findIndex((l) => l.trim() === `[${header}]` || l.includes(`"${path[depth - 1]}"`));
    if (index >= 0) {
      from = index;
      found = index + 1;
      break;
    }
  }
  const key = path[path.length - 1];
  if (key) {
    const index = lines.findIndex((l, i) => i >= from && new RegExp(`^\\s*"?${key}"?\\s*[=:]`).test(l));
    if (index >= 0) return index + 1;
  }
  return found;
}

export function agentProfile(config: DispatchConfig, name: string): AgentProfile {
  const profile = config.agents[name];
  if (!profile) {
    throw new UsageError(
      `no agent profile '${name}' (known: ${Object.keys(config.agents).join(", ")}); add [agents.${name}] to ${config.file ?? "the config"}`,
    );
  }
  return profile;
}

export function providerProfile(config: DispatchConfig, name: string): ProviderProfile {
  const profile = config.providers[name];
  if (!profile) {
    throw new UsageError(
      `no provider profile '${name}' (known: ${Object.keys(config.providers).join(", ")}); add [providers.${name}] to ${config.file ?? "the config"}`,
    );
  }
  return profile;
}
