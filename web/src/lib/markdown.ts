/**
 * A small Markdown reader for chat replies, kernel outputs and the editor's preview of `.md`
 * files. It returns a tree, never HTML: components render the tree as text nodes and
 * elements, so nothing a model (or a file) writes can inject markup. Covers
 * what replies use: fenced code blocks (also unclosed, while a reply streams), headings,
 * paragraphs, bullet and numbered lists, quotes, rules, and inline code, bold, italic and
 * links (http, https and mailto only; anything else stays text).
 */

export type Inline =
  | { type: "text"; text: string }
  | { type: "code"; text: string }
  | { type: "strong"; children: Inline[] }
  | { type: "em"; children: Inline[] }
  | { type: "link"; href: string; children: Inline[] }
  | { type: "br" };

export type Block =
  | { type: "code"; lang: string; text: string }
  | { type: "heading"; level: number; children: Inline[] }
  | { type: "paragraph"; children: Inline[] }
  | { type: "list"; ordered: boolean; start: number; items: Inline[][] }
  | { type: "quote"; children: Inline[] }
  | { type: "rule" };

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^ {0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^ {0,3}(\d{1,9})[.)]\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const RULE = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
/** A list item's continuation: indented text under it. */
const CONTINUATION = /^\s{2,}\S/;

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let i = 0;
  const startsBlock = (line: string) =>
    FENCE.test(line) ||
    HEADING.test(line) ||
    BULLET.test(line) ||
    NUMBERED.test(line) ||
    QUOTE.test(line) ||
    RULE.test(line);

  while (i < lines.length) {
    const line = lines[i] as string;
    if (line.trim() === "") {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1] as string;
      const body: string[] = [];
      i++;
      // Unclosed (a reply still streaming): the rest is code.
      while (i < lines.length && !(lines[i] as string).trimStart().startsWith(marker))
        body.push(lines[i++] as string);
      i++;
      blocks.push({ type: "code", lang: fence[2] ?? "", text: body.join("\n") });
      continue;
    }
    if (RULE.test(line)) {
      blocks.push({ type: "rule" });
      i++;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({
        type: "heading",
        level: (heading[1] as string).length,
        children: parseInline(heading[2] ?? ""),
      });
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i] as string))
        body.push(QUOTE.exec(lines[i++] as string)?.[1] ?? "");
      blocks.push({ type: "quote", children: parseInline(body.join("\n")) });
      continue;
    }
    const numbered = NUMBERED.exec(line);
    if (BULLET.test(line) || numbered) {
      const ordered = numbered !== null;
      const pattern = ordered ? NUMBERED : BULLET;
      const items: string[] = [];
      while (i < lines.length) {
        const current = lines[i] as string;
        const item = pattern.exec(current);
        if (item) {
          items.push((ordered ? item[2] : item[1]) ?? "");
        } else if (CONTINUATION.test(current) && items.length > 0) {
          items[items.length - 1] += `\n${current.trim()}`;
        } else if (current.trim() === "" && pattern.test(lines[i + 1] ?? "")) {
          // A blank line between items keeps the list going.
        } else break;
        i++;
      }
      blocks.push({
        type: "list",
        ordered,
        start: ordered ? Number(numbered?.[1] ?? 1) : 1,
        items: items.map((item) => parseInline(item)),
      });
      continue;
    }
    const body: string[] = [];
    while (
      i < lines.length &&
      (lines[i] as string).trim() !== "" &&
      (body.length === 0 || !startsBlock(lines[i] as string))
    )
      body.push(lines[i++] as string);
    blocks.push({ type: "paragraph", children: parseInline(body.join("\n")) });
  }
  return blocks;
}

const SAFE_URL = /^(https?:\/\/|mailto:)/i;

/** Inline spans: `code`, **strong**, *em* / _em_, [text](url), bare URLs, line breaks. */
export function parseInline(source: string): Inline[] {
  const out: Inline[] = [];
  let text = "";
  const flush = () => {
    if (text) out.push({ type: "text", text });
    text = "";
  };
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    const ch = source[i] as string;
    if (ch === "\\" && /^\\[\\`*_[\]()#+\-.!>~]/.test(rest)) {
      text += source[i + 1];
      i += 2;
      continue;
    }
    if (ch === "\n") {
      flush();
      out.push({ type: "br" });
      i++;
      continue;
    }
    if (ch === "`") {
      const ticks = /^`+/.exec(rest)?.[0] ?? "`";
      const end = source.indexOf(ticks, i + ticks.length);
      if (end > 0) {
        flush();
        out.push({ type: "code", text: source.slice(i + ticks.length, end).replace(/^ (.+) $/, "$1") });
        i = end + ticks.length;
        continue;
      }
    }
    if (ch === "*" || ch === "_") {
      const double = rest.startsWith(ch + ch);
      const marker = double ? ch + ch : ch;
      const end = closing(source, marker, i + marker.length);
      // `_` inside words (snake_case) is not emphasis.
      const wordy =
        ch === "_" && (/\w/.test(source[i - 1] ?? "") || /\w/.test(source[end + marker.length] ?? ""));
      if (end > i + marker.length && !wordy) {
        flush();
        const children = parseInline(source.slice(i + marker.length, end));
        out.push(double ? { type: "strong", children } : { type: "em", children });
        i = end + marker.length;
        continue;
      }
    }
    if (ch === "[") {
      const link = /^\[([^\]\n]+)\]\(\s*(\S+?)\s*\)/.exec(rest);
      if (link && SAFE_URL.test(link[2] as string)) {
        flush();
        out.push({ type: "link", href: link[2] as string, children: parseInline(link[1] as string) });
        i += link[0].length;
        continue;
      }
    }
    if ((ch === "h" || ch === "H") && !/\w/.test(source[i - 1] ?? "")) {
      const url = /^https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"]/i.exec(rest);
      if (url) {
        flush();
        out.push({ type: "link", href: url[0], children: [{ type: "text", text: url[0] }] });
        i += url[0].length;
        continue;
      }
    }
    text += ch;
    i++;
  }
  flush();
  return out;
}

/** Index of the closing `marker` (not preceded by a space, on the same line or paragraph). */
function closing(source: string, marker: string, from: number): number {
  if (/\s/.test(source[from] ?? " ")) return -1;
  for (let j = from; j <= source.length - marker.length; j++) {
    if (source[j] === "`") {
      const end = source.indexOf("`", j + 1);
      if (end > 0) j = end;
      continue;
    }
    if (source.startsWith(marker, j) && !/\s/.test(source[j - 1] ?? " ") && j > from) {
      // `**` is not the end of a single `*` span.
      if (marker.length === 1 && source[j + 1] === marker) {
        j++;
        continue;
      }
      return j;
    }
  }
  return -1;
}
