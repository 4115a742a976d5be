/**
 * A kernel's connection file: five free TCP ports on 127.0.0.1 and a fresh HMAC-SHA256 key,
 * written 0600 in the host's own 0700 kernel directory (the key is what keeps other local users
 * from running code in the kernel). The files this process holds are remembered, so whatever
 * else is in that directory belongs to no running session (`orphans.ts`).
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";

export interface ConnectionInfo {
  ip: string;
  transport: "tcp";
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  signature_scheme: "hmac-sha256";
  key: string;
  kernel_name: string;
}

export type Channel = "shell" | "iopub" | "stdin" | "control" | "hb";

export function channelAddress(info: ConnectionInfo, channel: Channel): string {
  return `${info.transport}://${info.ip}:${info[`${channel}_port`]}`;
}

/** Ports the OS says are free now (all held open together, so they differ). */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", resolve);
      });
      const address = server.address();
      if (address && typeof address === "object") ports.push(address.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

export async function newConnection(kernelName: string): Promise<ConnectionInfo> {
  const [shell, iopub, stdin, control, hb] = (await freePorts(5)) as [number, number, number, number, number];
  return {
    ip: "127.0.0.1",
    transport: "tcp",
    shell_port: shell,
    iopub_port: iopub,
    stdin_port: stdin,
    control_port: control,
    hb_port: hb,
    signature_scheme: "hmac-sha256",
    key: randomUUID(),
    kernel_name: kernelName,
  };
}

/** Connection files of the kernels this process runs (or is starting). */
const held = new Set<string>();

export function isHeld(path: string): boolean {
  return held.has(path);
}

/** The host's kernel directory, in its own run directory (one per host, so hosts never meet). */
export function kernelDir(runDir: string): string {
  return join(runDir, "kernels");
}

/** `kernel-<session>-<ms>.json`: the session a file (and the kernel naming it) was started for. */
export function sessionOfConnectionFile(name: string): string | null {
  return /^kernel-(.+)-\d+\.json$/.exec(name)?.[1] ?? null;
}

/** Writes the file the kernel is started with, held from now on; returns its path. */
export function writeConnectionFile(info: ConnectionInfo, options: { id: string; runDir: string }): string {
  const dir = kernelDir(options.runDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `kernel-${options.id}-${Date.now()}.json`);
  held.add(path);
  writeFileSync(path, JSON.stringify(info, null, 1), { mode: 0o600 });
  return path;
}

export function removeConnectionFile(path: string): void {
  rmSync(path, { force: true });
  held.delete(path);
}
