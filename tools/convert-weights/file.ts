import { open, type FileHandle } from 'node:fs/promises';
import { TruncatedFileError } from './errors.js';

/** Positional reads from a file that may be larger than memory (multi-GB checkpoints). */
export class RandomAccessFile {
  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
    readonly size: number,
  ) {}

  static async open(path: string): Promise<RandomAccessFile> {
    const handle = await open(path, 'r');
    const { size } = await handle.stat();
    return new RandomAccessFile(handle, path, size);
  }

  /** Reads exactly `length` bytes at `offset`; `what` names the structure for the error message. */
  async read(offset: number, length: number, what: string): Promise<Uint8Array> {
    if (offset < 0 || offset + length > this.size) {
      throw new TruncatedFileError(
        `${this.path} is truncated: ${what} needs bytes ${offset}..${offset + length}, file has ${this.size}`,
      );
    }
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      // A single read() may return fewer bytes (and is capped at 2 GiB), so loop.
      const chunk = Math.min(length - done, 1 << 30);
      const { bytesRead } = await this.handle.read(out, done, chunk, offset + done);
      if (bytesRead === 0) throw new TruncatedFileError(`${this.path} ended while reading ${what}`);
      done += bytesRead;
    }
    return out;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
