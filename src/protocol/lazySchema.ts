/**
 * A schema built on its first use, not as its module loads. Every process imports the whole
 * protocol, but each parses only some of it: the hub never parses the messages it sends
 * (`ServerMessage`, `HubToHostMessage` outside a cluster), the host never parses the ones it
 * sends (`HostMessage`). Built at start, those unions were heap an idle daemon held for good
 * (docs/BENCHMARKS.md, "Memory: idle hub and host"). The value stands for the schema itself
 * (`ServerMessage.safeParse(json)`, or as part of another schema): its first property read
 * builds it.
 */
import type { z } from "zod";

export function lazySchema<T extends z.ZodType>(build: () => T): T {
  let schema: T | undefined;
  const built = () => {
    schema ??= build();
    return schema;
  };
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(built(), key),
    has: (_, key) => Reflect.has(built(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(built()),
    ownKeys: () => Reflect.ownKeys(built()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(built(), key);
      // A proxy may not report a property its target lacks as non-configurable.
      return descriptor ? { ...descriptor, configurable: true } : undefined;
    },
  });
}
