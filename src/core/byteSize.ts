/** Sizes in messages a person reads. */

/** `8.8 MiB`. */
export function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
