/**
 * Which pages of the node binary a process has resident, and whose they are.
 *
 * The node binary's pages are most of an idle daemon's RSS (docs/BENCHMARKS.md, "Memory: idle
 * hub and host"): each process counts every page of code or read-only data it ever touched
 * (and the kernel's fault-around neighbours, 64 KiB by default) for good. This reads
 * `/proc/PID/pagemap` for the process's mappings of its executable (the present bit needs no
 * privilege), maps each resident page to the ELF section and to the symbols it holds (`nm`:
 * the distributed binary keeps its symbol table; the ICU data is one symbol, `icudt*_dat`; the
 * V8 built-ins are `Builtins_*`) and sums bytes per section, per group (a C++ namespace or a C
 * prefix) and per symbol. A page spanning several symbols is shared out by the bytes each holds.
 * The sources of Node's built-in modules (`lib/*.js`, ~5 MB of .rodata) have no symbols: when
 * the binary is the one running this, each is found by its text and named `node:ID (source)`.
 */
import { execFileSync } from "node:child_process";
import { closeSync, openSync, readFileSync, readlinkSync, readSync, realpathSync } from "node:fs";

const PAGE = 4096;
/** Bit 63 of a pagemap entry: the page is in RAM and mapped in this process. */
const PRESENT = 1n << 63n;

/** Bytes per name: a section, a group or a symbol. */
export type Tally = Map<string, number>;

export interface BinaryPages {
  binary: string;
  /** Resident bytes of the binary in the process. */
  total: number;
  bySection: Tally;
  byGroup: Tally;
  bySymbol: Tally;
}

interface Span {
  start: number;
  end: number;
  name: string;
}

interface Layout {
  sections: Span[];
  symbols: Span[];
  /** PT_LOAD segments: file offset to link-time address. */
  segments: { offset: number; vaddr: number; size: number }[];
}

const layouts = new Map<string, Layout>();

/** The binary's sections, symbols and segments, read once per binary with readelf and nm. */
function layoutOf(binary: string): Layout {
  const cached = layouts.get(binary);
  if (cached) return cached;
  const run = (file: string, args: string[]) =>
    execFileSync(file, [...args, binary], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const sections: Span[] = [];
  for (const match of run("readelf", ["-SW"]).matchAll(
    /\]\s+(\S+)\s+\S+\s+([0-9a-f]{16})\s+[0-9a-f]+\s+([0-9a-f]+)/g,
  )) {
    const start = Number.parseInt(match[2] as string, 16);
    if (start > 0)
      sections.push({
        name: match[1] as string,
        start,
        end: start + Number.parseInt(match[3] as string, 16),
      });
  }
  const segments: Layout["segments"] = [];
  for (const match of run("readelf", ["-lW"]).matchAll(
    /LOAD\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)/g,
  )) {
    segments.push({
      offset: Number.parseInt(match[1] as string, 16),
      vaddr: Number.parseInt(match[2] as string, 16),
      size: Number.parseInt(match[3] as string, 16),
    });
  }
  const raw: { start: number; size: number | undefined; name: string }[] = [];
  for (const line of run("nm", ["-n", "-C", "-S", "--defined-only"]).split("\n")) {
    const match = /^([0-9a-f]{16}) (?:([0-9a-f]{16}) )?[a-zA-Z] (.+)$/.exec(line);
    if (!match) continue;
    const start = Number.parseInt(match[1] as string, 16);
    if (start === 0) continue;
    raw.push({ start, size: match[2] ? Number.parseInt(match[2], 16) : undefined, name: match[3] as string });
  }
  // One span per address (the sized symbol wins); an unsized one runs to the next symbol.
  const symbols: Span[] = [];
  for (let i = 0; i < raw.length; i++) {
    const symbol = raw[i] as (typeof raw)[number];
    let j = i;
    while (j + 1 < raw.length && (raw[j + 1] as (typeof raw)[number]).start === symbol.start) j++;
    const same = raw.slice(i, j + 1);
    const chosen = same.find((s) => s.size !== undefined && s.size > 0) ?? symbol;
    const next = raw[j + 1]?.start ?? chosen.start + (chosen.size ?? PAGE);
    const end = chosen.size ? Math.min(chosen.start + chosen.size, next) : next;
    if (end > chosen.start) symbols.push({ start: chosen.start, end, name: chosen.name });
    i = j;
  }
  if (binary === realpathSync(process.execPath)) {
    symbols.push(...builtinSources(readFileSync(binary), segments));
    symbols.sort((a, b) => a.start - b.start);
  }
  const layout = { sections, symbols, segments };
  layouts.set(binary, layout);
  return layout;
}

/**
 * Where each built-in module's source lies in the binary (link-time addresses), found by its
 * first 200 characters: one-byte sources are stored as Latin-1, the others as UTF-16.
 */
function builtinSources(file: Buffer, segments: Layout["segments"]): Span[] {
  const natives = (process as unknown as { binding(name: string): Record<string, unknown> }).binding(
    "natives",
  );
  const spans: Span[] = [];
  for (const [id, source] of Object.entries(natives)) {
    if (typeof source !== "string") continue;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: Latin-1 is every code point below 256
    const oneByte = /^[\u0000-\u00ff]*$/.test(source);
    const at = file.indexOf(Buffer.from(source.slice(0, 200), oneByte ? "latin1" : "utf16le"));
    const segment = segments.find((s) => at >= s.offset && at < s.offset + s.size);
    if (at < 0 || !segment) continue;
    const start = segment.vaddr + (at - segment.offset);
    spans.push({ start, end: start + source.length * (oneByte ? 1 : 2), name: `node:${id} (source)` });
  }
  return spans;
}

/** Link-time addresses of the binary's resident pages in `pid`. */
function residentPages(pid: number, binary: string, layout: Layout): number[] {
  const pages: number[] = [];
  const fd = openSync(`/proc/${pid}/pagemap`, "r");
  try {
    for (const line of readFileSync(`/proc/${pid}/maps`, "utf8").split("\n")) {
      const match = /^([0-9a-f]+)-([0-9a-f]+) \S+ ([0-9a-f]+) \S+ \d+\s+(.*)$/.exec(line);
      if (!match || match[4] !== binary) continue;
      const start = Number.parseInt(match[1] as string, 16);
      const end = Number.parseInt(match[2] as string, 16);
      const offset = Number.parseInt(match[3] as string, 16);
      const segment = layout.segments.find(
        (s) => offset >= s.offset && offset < s.offset + Math.max(s.size, PAGE),
      );
      // A PIE binary is loaded at a bias; this one maps its file offset to the link address.
      const bias = segment ? start - (segment.vaddr + (offset - segment.offset)) : 0;
      const count = (end - start) / PAGE;
      const entries = Buffer.alloc(count * 8);
      readSync(fd, entries, 0, entries.length, (start / PAGE) * 8);
      for (let i = 0; i < count; i++) {
        if (entries.readBigUInt64LE(i * 8) & PRESENT) pages.push(start + i * PAGE - bias);
      }
    }
  } finally {
    closeSync(fd);
  }
  return pages.sort((a, b) => a - b);
}

/** Index of the first span whose end is past `address` (spans sorted and disjoint). */
function firstEndingAfter(spans: Span[], address: number): number {
  let low = 0;
  let high = spans.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((spans[mid] as Span).end <= address) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Adds each part of [start, end) that `spans` cover to its name; the rest to `gap(name)`. */
function share(
  spans: Span[],
  start: number,
  end: number,
  add: (name: string, bytes: number) => void,
  gap: string,
) {
  let at = start;
  for (let i = firstEndingAfter(spans, start); i < spans.length && at < end; i++) {
    const span = spans[i] as Span;
    if (span.start >= end) break;
    if (span.start > at) add(gap, span.start - at);
    const to = Math.min(span.end, end);
    add(span.name, to - Math.max(span.start, at));
    at = to;
  }
  if (at < end) add(gap, end - at);
}

/** A symbol's group: the V8 built-ins, the ICU data, a C++ namespace (3 levels) or a C prefix. */
export function groupOf(symbol: string): string {
  if (symbol.startsWith("Builtins_")) return "V8 built-ins (Builtins_*)";
  if (symbol.endsWith(" (source)")) return "Node's built-in modules' sources";
  if (/^icudt\d+_dat$/.test(symbol)) return "ICU data (icudt*_dat)";
  if (symbol.startsWith("(")) return symbol;
  let name = symbol.replace(/ \[clone [^\]]*\]/g, "").replace(/\(anonymous namespace\)/g, "{anon}");
  // Drop template arguments and parameter lists, innermost first.
  for (let before = ""; before !== name; ) {
    before = name;
    name = name.replace(/<[^<>]*>/g, "").replace(/\([^()]*\)/g, "");
  }
  name = name.replace(/^.*\s/, "");
  const parts = name.split("::");
  if (parts.length > 1) return parts.slice(0, Math.min(3, parts.length - 1)).join("::");
  return `${name.replace(/^_+/, "").split("_")[0] || name}_* (C)`;
}

/** The resident pages of `pid`'s executable (by default, the one `/proc/PID/exe` names). */
export function binaryPages(pid: number, binary = readlinkSync(`/proc/${pid}/exe`)): BinaryPages {
  const layout = layoutOf(binary);
  const result: BinaryPages = {
    binary,
    total: 0,
    bySection: new Map(),
    byGroup: new Map(),
    bySymbol: new Map(),
  };
  const add = (tally: Tally) => (name: string, bytes: number) =>
    tally.set(name, (tally.get(name) ?? 0) + bytes);
  const toSection = add(result.bySection);
  const toSymbol = add(result.bySymbol);
  for (const page of residentPages(pid, binary, layout)) {
    result.total += PAGE;
    share(layout.sections, page, page + PAGE, toSection, "(between sections)");
    const section = layout.sections[firstEndingAfter(layout.sections, page)]?.name ?? "?";
    share(layout.symbols, page, page + PAGE, toSymbol, `(no symbol, ${section})`);
  }
  for (const [symbol, bytes] of result.bySymbol) add(result.byGroup)(groupOf(symbol), bytes);
  return result;
}

/** Each name's bytes in `a` minus those in `b`, largest difference first. */
export function difference(a: Tally, b: Tally): [string, number][] {
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names]
    .map((name): [string, number] => [name, (a.get(name) ?? 0) - (b.get(name) ?? 0)])
    .sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]));
}
