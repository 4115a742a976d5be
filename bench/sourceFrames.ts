/** V8 profiles' frames mapped back to the source they came from (bench/profile.ts, bench/daemonGc.ts). */
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { dirname, resolve } from "node:path";

/** A frame as V8's CPU and heap profiles give it (0-based line and column). */
export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber?: number;
}

const sourceMaps = new Map<string, SourceMap | undefined>();

/**
 * The frame in the module it came from: the hub, the host and the CLI run bundled
 * (scripts/bundle.js), so their frames are mapped back through the bundle's source map.
 */
export function original(frame: CallFrame): CallFrame {
  // The hub's bundle runs as a script named by its path (`cachedBundle.ts`), the rest as file: URLs.
  if (!frame.url.startsWith("file://") && !frame.url.startsWith("/")) return frame;
  const path = frame.url.startsWith("file://") ? frame.url.slice("file://".length) : frame.url;
  if (!sourceMaps.has(path)) {
    const mapFile = `${path}.map`;
    const map = existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, "utf8"))) : undefined;
    sourceMaps.set(path, map);
  }
  const map = sourceMaps.get(path);
  if (!map) return frame;
  const entry = map.findEntry(frame.lineNumber, frame.columnNumber ?? 0) as {
    originalSource?: string;
    originalLine?: number;
  };
  if (!entry.originalSource) return frame;
  const source = entry.originalSource.startsWith("file://")
    ? entry.originalSource
    : `file://${resolve(dirname(path), entry.originalSource)}`;
  return { ...frame, url: source, lineNumber: entry.originalLine ?? frame.lineNumber };
}
