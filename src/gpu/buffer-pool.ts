/**
 * The only place storage buffers are created. Released buffers are reused by size class;
 * idle memory is capped (oldest idle buffers are destroyed first).
 *
 * Safety rule (tfjs-style deferred release): a buffer released while recorded-but-unsubmitted
 * work still uses it stays out of the general free list until that work is submitted, because
 * a queue.writeBuffer into it would land before the recorded reads. Kernel outputs of the same
 * recording may take it at once: dispatches in one encoder run in order.
 */
import { GpuOutOfMemoryError, LimitExceededError } from './errors.js';

export interface PoolOptions {
  /** Reuse released buffers (turn off to debug use-after-release). */
  enabled: boolean;
  /** Most bytes kept idle in the pool before the oldest are destroyed. */
  maxIdleBytes: number;
}

export interface PoolStats {
  /** Bytes in buffers handed out and not yet released. */
  liveBytes: number;
  /** Bytes kept idle for reuse. */
  idleBytes: number;
  /** Highest liveBytes + idleBytes + pendingBytes seen (what the pool held at its fullest). */
  peakBytes: number;
  /** Buffers created so far (reuses do not count). */
  created: number;
  reused: number;
}

export class BufferPool {
  private readonly idle = new Map<number, GPUBuffer[]>();
  private idleOrder: GPUBuffer[] = [];
  /** Released during the open recording: reusable for its kernel outputs, free after submit. */
  private releasedInRecording: GPUBuffer[] = [];
  private readonly live = new Set<GPUBuffer>();
  private readonly all = new Set<GPUBuffer>();
  private stats: PoolStats = { liveBytes: 0, idleBytes: 0, peakBytes: 0, created: 0, reused: 0 };
  private pendingBytes = 0;
  private readonly allocationChecks: Promise<void>[] = [];

  constructor(
    private readonly device: GPUDevice,
    readonly options: PoolOptions,
  ) {}

  /** Size classes: 256-byte granules up to 64 KiB, then 8 steps per power of two (<= 12.5 % waste). */
  static sizeClass(bytes: number): number {
    const b = Math.max(bytes, 16);
    if (b <= 65536) return Math.ceil(b / 256) * 256;
    const step = 2 ** (Math.floor(Math.log2(b)) - 3);
    return Math.ceil(b / step) * step;
  }

  /**
   * A storage buffer of at least `bytes`. `forUpload` buffers are filled by queue.writeBuffer,
   * so they must not come from buffers still used by unsubmitted work.
   */
  acquire(bytes: number, forUpload: boolean, label?: string): GPUBuffer {
    const size = BufferPool.sizeClass(bytes);
    const maxBufferSize = this.device.limits.maxBufferSize;
    if (size > maxBufferSize) throw new LimitExceededError('maxBufferSize', bytes, maxBufferSize, `allocating a ${label ?? 'tensor'} buffer`);
    if (this.options.enabled) {
      const reused = (!forUpload && this.takeReleasedInRecording(size)) || this.takeIdle(size);
      if (reused) {
        this.stats.reused++;
        this.markLive(reused);
        return reused;
      }
    }
    const buffer = this.create(size, label);
    this.markLive(buffer);
    return buffer;
  }

  /** Called by tensors' dispose(); `recording` says whether unsubmitted work may use it. */
  release(buffer: GPUBuffer, recording: boolean): void {
    if (!this.live.delete(buffer)) return;
    this.stats.liveBytes -= buffer.size;
    if (recording) {
      this.releasedInRecording.push(buffer);
      this.pendingBytes += buffer.size;
    } else {
      this.toIdle(buffer);
    }
  }

  /** The recording that used the released buffers was submitted: they are free for anything. */
  onSubmitted(): void {
    const released = this.releasedInRecording;
    this.releasedInRecording = [];
    this.pendingBytes = 0;
    for (const b of released) this.toIdle(b);
  }

  /** Resolves when every creation so far succeeded; rejects with the size that failed. */
  async checkAllocations(): Promise<void> {
    const checks = this.allocationChecks.splice(0);
    await Promise.all(checks);
  }

  getStats(): PoolStats {
    return { ...this.stats };
  }

  /** Destroys idle buffers (live ones stay valid). */
  trim(): void {
    for (const b of this.idleOrder) this.destroy(b);
    this.idle.clear();
    this.idleOrder = [];
    this.stats.idleBytes = 0;
  }

  /** Destroys every buffer the pool ever created that still exists. */
  destroyAll(): void {
    for (const b of this.all) b.destroy();
    this.all.clear();
    this.live.clear();
    this.idle.clear();
    this.idleOrder = [];
    this.releasedInRecording = [];
    this.stats.liveBytes = this.stats.idleBytes = this.pendingBytes = 0;
  }

  private create(size: number, label?: string): GPUBuffer {
    const device = this.device;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const buffer = device.createBuffer({
      size,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      label,
    });
    const validation = device.popErrorScope();
    const oom = device.popErrorScope();
    this.allocationChecks.push(
      Promise.all([validation, oom]).then(([v, o]) => {
        const err = o ?? v;
        if (err) {
          throw new GpuOutOfMemoryError(
            `allocating ${size} bytes for ${label ?? 'a tensor'} failed (pool holds ${this.stats.liveBytes} live + ` +
              `${this.stats.idleBytes} idle bytes): ${err.message}`,
          );
        }
      }),
    );
    this.all.add(buffer);
    this.stats.created++;
    return buffer;
  }

  private markLive(buffer: GPUBuffer) {
    this.live.add(buffer);
    this.stats.liveBytes += buffer.size;
    this.stats.peakBytes = Math.max(this.stats.peakBytes, this.stats.liveBytes + this.stats.idleBytes + this.pendingBytes);
  }

  private takeReleasedInRecording(size: number): GPUBuffer | undefined {
    const i = this.releasedInRecording.findIndex((b) => b.size === size);
    if (i < 0) return undefined;
    const [buffer] = this.releasedInRecording.splice(i, 1);
    this.pendingBytes -= size;
    return buffer;
  }

  private takeIdle(size: number): GPUBuffer | undefined {
    const list = this.idle.get(size);
    const buffer = list?.pop();
    if (!buffer) return undefined;
    this.idleOrder.splice(this.idleOrder.indexOf(buffer), 1);
    this.stats.idleBytes -= size;
    return buffer;
  }

  private toIdle(buffer: GPUBuffer) {
    if (!this.options.enabled) {
      this.destroy(buffer);
      return;
    }
    let list = this.idle.get(buffer.size);
    if (!list) this.idle.set(buffer.size, (list = []));
    list.push(buffer);
    this.idleOrder.push(buffer);
    this.stats.idleBytes += buffer.size;
    while (this.stats.idleBytes > this.options.maxIdleBytes && this.idleOrder.length) {
      const oldest = this.idleOrder.shift()!;
      const l = this.idle.get(oldest.size)!;
      l.splice(l.indexOf(oldest), 1);
      this.stats.idleBytes -= oldest.size;
      this.destroy(oldest);
    }
  }

  private destroy(buffer: GPUBuffer) {
    this.all.delete(buffer);
    buffer.destroy();
  }
}
