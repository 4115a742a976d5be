/**
 * The chat kind's CLI verbs, chat sessions from the terminal:
 *   dispatch chat [NAME] [--provider P] [--model M]   interactive prompt `[name] >`
 *   dispatch chat --new NAME                          a chat named like a subcommand's typo
 *   dispatch chat fork NAME [--name N]                a new chat with the same conversation
 *   dispatch chat export NAME [-o FILE]               the conversation as Markdown
 * In the prompt: `/sessions`, `/switch NAME`, `/new [NAME]`, `/quit`; Ctrl-C cancels a reply
 * in flight (and quits at an empty prompt).
 */
import { writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Command } from "commander";
import { z } from "zod";
import { DispatchError } from "../../core/errors.js";
import {
  type ChatTurn,
  conversationFromEvents,
  conversationToMarkdown,
  recentHistory,
} from "../../kinds/chat/conversation.js";
import { ChatData } from "../../kinds/chat/events.js";
import { chatKind } from "../../kinds/chat/index.js";
import { ChatOptions } from "../../kinds/chat/options.js";
import { MAX_CLIENT_MESSAGE_BYTES } from "../../protocol/client.js";
import type { SessionInfo } from "../../protocol/session.js";
import type { ClientSocket } from "../ClientSocket.js";
import { type DispatchConfig, loadConfig, providerProfile } from "../config.js";
import { UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";
import { subcommandTypo } from "../usageErrors.js";
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
  const socket = await client.connect("dispatch-chat");
  const view = new ChatView(socket);
  try {
    await view.switchTo(session);
    await view.run(client);
  } finally {
    await socket.close();
  }
}

/** The prompt loop: renders one chat at a time from its `chat` events and streamed output. */
class ChatView {
  private current: SessionInfo | undefined;
  private streaming = false;
  private echoSkip: string | undefined;
  private turnEnd: (() => void) | undefined;

  constructor(private readonly socket: ClientSocket) {
    socket.onOutput((frame) => {
      if (frame.session === this.current?.id && this.streaming) process.stdout.write(frame.data);
    });
    socket.onMessage((message) => {
      if (message.type !== "event" || message.event.session !== this.current?.id) return;
      if (message.event.type === "chat") this.onChat(message.event.data);
      if (message.event.type === "exit") {
        process.stdout.write(`\n[${this.current.name}] the chat has ended\n`);
        this.endTurn();
      }
    });
  }

  async switchTo(session: SessionInfo): Promise<void> {
    if (this.current) await this.socket.detach(this.current.id).catch(() => undefined);
    this.current = session;
    this.streaming = false;
    await this.socket.attach(session.id, { afterSeq: 0, snapshot: false });
  }

  async run(client: HubClient): Promise<void> {
    const rl = createInterface({
      input: process.stdin,
      output: process.stdout,
      terminal: process.stdin.isTTY === true,
    });
    const prompt = () => {
      rl.setPrompt(`[${this.current?.name}] > `);
      rl.prompt();
    };
    rl.on("SIGINT", () => {
      if (this.turnEnd && this.current) this.socket.input(this.current.id, "\x03");
      else rl.close();
    });
    prompt();
    for await (const line of rl) {
      const text = line.trim();
      if (text === "/quit" || text === "/exit") break;
      if (text.startsWith("/")) {
        await this.command(client, text).catch((err: unknown) => {
          process.stdout.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
        });
      } else if (text.length > 0 && this.current && tooLong(line)) {
        process.stdout.write(`${tooLong(line)}\n`);
      } else if (text.length > 0 && this.current) {
        const ended = new Promise<void>((resolve) => {
          this.turnEnd = resolve;
        });
        this.echoSkip = line;
        this.socket.input(this.current.id, `${line}\r`);
        await Promise.race([ended, this.socket.closed]);
      }
      prompt();
    }
    rl.close();
  }

  private async command(client: HubClient, text: string): Promise<void> {
    const [command, arg] = text.split(/\s+/, 2);
    switch (command) {
      case "/sessions": {
        const chats = (await client.listSessions()).filter((s) => s.kind === CHAT);
        for (const chat of chats) {
          const mark = chat.id === this.current?.id ? "*" : " ";
          process.stdout.write(`${mark} ${chat.name}  ${chat.status}  ${chat.preview.slice(0, 60)}\n`);
        }
        return;
      }
      case "/switch":
        if (!arg) throw new UsageError("usage: /switch NAME");
        return this.switchTo(await client.getSession(arg));
      case "/new": {
        const settings = ChatOptions.partial().parse(this.current?.options ?? {});
        const { history: _h, forkedFrom: _f, ...options } = settings;
        return this.switchTo(await createChat(client, arg, options));
      }
      default:
        process.stdout.write("commands: /sessions, /switch NAME, /new [NAME], /quit\n");
    }
  }

  private onChat(raw: Record<string, unknown>): void {
    const parsed = ChatData.safeParse(raw);
    if (!parsed.success) return;
    const data = parsed.data;
    switch (data.role) {
      case "user":
        if (this.echoSkip !== undefined && this.echoSkip.trim() === data.text.trim())
          this.echoSkip = undefined;
        else process.stdout.write(`[${this.current?.name}] > ${data.text}\n`);
        this.streaming = true;
        return;
      case "assistant":
        this.streaming = false;
        process.stdout.write("\n");
        return this.endTurn();
      case "error":
        this.streaming = false;
        return this.endTurn();
      case "queued":
        process.stdout.write(`(waiting for a free API slot, position ${data.position})\n`);
        return;
    }
  }

  private endTurn(): void {
    const end = this.turnEnd;
    this.turnEnd = undefined;
    end?.();
  }
}

/**
 * Why `line` cannot be sent, or undefined: the hub refuses a message over
 * MAX_CLIENT_MESSAGE_BYTES, and the line was lost without a word.
 */
function tooLong(line: string): string | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(line)) + 200;
  if (bytes <= MAX_CLIENT_MESSAGE_BYTES) return undefined;
  return `not sent: the message is ${bytes} bytes, more than one message to the hub holds (${MAX_CLIENT_MESSAGE_BYTES}); send it in parts, or paste it in the web`;
}
