/**
 * The chat kind's CLI verbs, chat sessions from the terminal:
 *   dispatch chat [NAME] [--provider P] [--model M]   interactive prompt `[name] >`
 *   dispatch chat --new NAME                          a chat named like a subcommand's typo
 *   dispatch chat fork NAME [--name N]                a new chat with the same conversation
 *   dispatch chat export NAME [-o FILE]               the conversation as Markdown
 * In the prompt: `/sessions`, `/switch NAME`, `/new [NAME]`, `/quit`; Ctrl-C cancels a reply
 * in flight (and quits at an empty prompt). The prompt itself is `chatView.ts`.
 */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { z } from "zod";
import { DispatchError } from "../../core/errors.js";
import {
  type ChatTurn,
  conversationFromEvents,
  conversationToMarkdown,
  recentHistory,
} from "../../kinds/chat/conversation.js";
import { chatKind } from "../../kinds/chat/index.js";
import { ChatOptions } from "../../kinds/chat/options.js";
import type { SessionInfo } from "../../protocol/session.js";
import { type DispatchConfig, loadConfig, providerProfile } from "../config.js";
import { UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";
import { subcommandTypo } from "../usageErrors.js";
import { ChatView } from "./chatView.js";
import type { CliKind, DeclaredFields } from "./cliKind.js";
import { readDeclaredOptions } from "./declaredOptions.js";

/** The hub kind's name, the one place the CLI learns it. */
const CHAT = chatKind.name;

export const chatCli: CliKind = { kind: CHAT, register: registerChat, declare: declareChat };

/** What a project file gives a chat session (`options = { provider = "local" }`). */
const DeclaredChat = z.object({
  provider: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
});

/** A declared chat as `dispatch chat NAME [--provider P] [--model M]` makes it. */
function declareChat(declared: DeclaredFields, config: () => DispatchConfig): DeclaredFields {
  if (declared.command.length > 0)
    throw new UsageError("a chat session runs no command; name its provider in options instead");
  const options = readDeclaredOptions(CHAT, DeclaredChat, declared.options);
  const settings = config();
  return {
    ...declared,
    options: chatOptionsFor(settings, options.provider ?? settings.chat.provider, options.model),
  };
}

function registerChat(program: Command): void {
  const chat = program
    .command("chat")
    .description("talk to an LLM in a chat session (created when NAME does not exist)")
    .argument("[name]", "chat session name")
    .option(
      "--provider <profile>",
      "provider profile from the config (default: chat.provider, else anthropic)",
    )
    .option("--model <model>", "model (default: the profile's)")
    .option("--new", "NAME is a new chat's name even if it looks like a mistyped subcommand (exprt)")
    .action(interactive);
  chat
    .command("fork")
    .description("start a new chat with the same conversation; prints its name")
    .argument("<name>", "chat to fork")
    .option("--name <new>", "name of the new chat")
    .action(fork);
  chat
    .command("export")
    .description("print a chat's conversation as Markdown")
    .argument("<name>", "chat session name")
    .option("-o, --output <file>", "write to FILE instead of stdout")
    .action(exportChat);
}

/** The create options of a chat from a provider profile. */
export function chatOptionsFor(
  config: DispatchConfig,
  provider: string,
  model?: string,
): Record<string, unknown> {
  const profile = providerProfile(config, provider);
  return {
    provider: profile.type,
    profile: provider,
    model: model ?? profile.model,
    maxConcurrent: config.chat.maxConcurrent,
    ...(profile.base_url ? { baseUrl: profile.base_url } : {}),
    ...(profile.api_key_env ? { apiKeyEnv: profile.api_key_env } : {}),
    ...(profile.system ? { system: profile.system } : {}),
    ...(profile.max_tokens ? { maxTokens: profile.max_tokens } : {}),
    ...(profile.max_retries !== undefined ? { maxRetries: profile.max_retries } : {}),
  };
}

async function readConversation(
  client: HubClient,
  name: string,
): Promise<{ session: SessionInfo; turns: ChatTurn[] }> {
  const session = await client.getSession(name);
  if (session.kind !== CHAT)
    throw new UsageError(`'${session.name}' is a ${session.kind} session, not a chat`);
  const events: { type: string; data: unknown }[] = [];
  for (let after = 0; ; ) {
    const page = await client.events(session.id, after, 1000);
    if (page.events.length === 0) break;
    events.push(...page.events);
    after = (page.events[page.events.length - 1] as { seq: number }).seq;
  }
  return { session, turns: conversationFromEvents(events) };
}

async function fork(name: string, options: { name?: string }): Promise<void> {
  const client = HubClient.locate();
  const { session, turns } = await readConversation(client, name);
  const settings = ChatOptions.partial().parse(session.options ?? {});
  const { history, omitted } = recentHistory(turns);
  const created = await client.createSession({
    kind: CHAT,
    ...(options.name ? { name: options.name } : {}),
    cwd: session.cwd,
    options: {
      ...settings,
      history,
      ...(omitted > 0 ? { historyOmitted: omitted } : {}),
      forkedFrom: session.name,
    },
  });
  console.log(created.name);
}

async function exportChat(name: string, options: { output?: string }): Promise<void> {
  const { session, turns } = await readConversation(HubClient.locate(), name);
  const markdown = conversationToMarkdown(session.name, turns);
  if (options.output) writeFileSync(options.output, markdown);
  else process.stdout.write(markdown);
}

async function createChat(client: HubClient, name: string | undefined, options: Record<string, unknown>) {
  return client.createSession({ kind: CHAT, ...(name ? { name } : {}), cwd: process.cwd(), options });
}

async function interactive(
  name: string | undefined,
  options: { provider?: string; model?: string; new?: boolean },
  command: Command,
): Promise<void> {
  const client = HubClient.locate();
  const config = loadConfig();
  let session: SessionInfo | undefined;
  if (name)
    session = await client.getSession(name).catch((err: unknown) => {
      if (err instanceof DispatchError && err.code === "not_found") return undefined;
      throw err;
    });
  if (session && session.kind !== CHAT)
    throw new UsageError(`'${session.name}' is a ${session.kind} session, not a chat`);
  // `chat exprt` is a typo of `chat export` more likely than a new chat's name.
  const typo =
    name && !session && !options.new
      ? subcommandTypo(command, name, `to start a chat named ${name}: dispatch chat --new ${name}`)
      : undefined;
  if (typo) throw new UsageError(typo);
  session ??= await createChat(
    client,
    name,
    chatOptionsFor(config, options.provider ?? config.chat.provider, options.model),
  );
  const view = await ChatView.open(client, createChat);
  try {
    await view.switchTo(session);
    await view.run();
  } finally {
    await view.close();
  }
}
