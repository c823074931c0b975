/**
 * Durable checkpoint writes: the bytes are fsynced in `.partial` before the rename, and the
 * folder is fsynced after it, so that a power cut leaves the old file or the whole new one.
 * node:fs/promises is wrapped to record the order of those calls.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { checkpointPath, saveCheckpoint, writeAtomic } from '../../src/train/node.js';

const calls = vi.hoisted(() => [] as string[]);

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const { basename } = await import('node:path');
  return {
    ...fs,
    open: async (...args: Parameters<typeof fs.open>) => {
      const handle = await fs.open(...args);
      const name = basename(String(args[0]));
      const sync = handle.sync.bind(handle);
      handle.sync = async () => {
        calls.push(`sync ${name}`);
        return sync();
      };
      return handle;
    },
    rename: async (from: string, to: string) => {
      calls.push(`rename ${basename(from)} -> ${basename(to)}`);
      return fs.rename(from, to);
    },
  };
});

const root = mkdtempSync(join(tmpdir(), 'ba-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('writeAtomic', () => {
  it('fsyncs the .partial file, renames it over the target, then fsyncs the folder', async () => {
    const dir = join(root, 'run');
    calls.length = 0;
    const path = await saveCheckpoint(dir, 7, Uint8Array.of(1, 2, 3));
    expect(path).toBe(checkpointPath(dir, 7));
    expect(calls).toEqual([
      'sync ckpt-00000007.safetensors.partial',
      'rename ckpt-00000007.safetensors.partial -> ckpt-00000007.safetensors',
      'sync run',
    ]);
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toEqual([basename(path)]);
  });

  it('replaces a stale .partial left by a crash and the old file, whole', async () => {
    const path = join(root, 'export.safetensors');
    writeFileSync(path, 'old');
    writeFileSync(`${path}.partial`, 'a torn write from a crash, longer than the new bytes');
    await writeAtomic(path, new TextEncoder().encode('new'));
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(root).filter((n) => n.startsWith('export'))).toEqual(['export.safetensors']);
  });
});
