import type { Server } from 'node:http';

/** URL prefix → folder, first match wins (list longer prefixes first). */
export type Mounts = [prefix: string, folder: string][];

export interface StaticServerOptions {
  mounts: Mounts;
  /** The file served for a request of a mount's prefix itself (default index.html). */
  index?: string;
  /** Extra headers on every file response. */
  headers?: Record<string, string>;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

export function startStaticServer(options: StaticServerOptions): Promise<{ server: Server; port: number }>;
