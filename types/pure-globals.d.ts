/**
 * The few globals that Node and browsers both have and that the pure layers (core, protocol)
 * use: Web Crypto's random values and the text codecs. Declared here, for
 * `tsconfig.pure.json` only, so those layers cannot reach for anything else of either runtime.
 */
declare const crypto: { getRandomValues<T extends Uint8Array | Uint32Array>(array: T): T };

declare class TextEncoder {
  encode(input?: string): Uint8Array;
}

declare class TextDecoder {
  constructor(label?: string);
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}
