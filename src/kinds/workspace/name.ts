/**
 * The workspace kind's name, in a module of its own: the host's orphan sweep needs it at every
 * start, and importing it from the kind (`index.ts`) evaluated the kind's schemas in every host
 * (docs/BENCHMARKS.md, "Memory: idle hub and host").
 */
export const WORKSPACE = "workspace";
