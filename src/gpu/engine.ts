/**
 * The Engine owns one GPUDevice (acquired, or the host app's) and every GPU resource made on
 * it: the buffer pool, the pipeline cache, the uniform arena, staging buffers. Ops record
 * dispatches into the open step; submit() sends the step as one command encoder.
 */
import { acquireDevice, type AcquiredDevice, type DeviceOptions, type OptionalFeature } from './device.js';
import { BufferPool, type PoolStats } from './buffer-pool.js';
import {
  BindingError,
  DeviceLostError,
  DisposedError,
  EngineError,
  GpuOutOfMemoryError,
  GpuValidationError,
  LimitExceededError,
  ShapeError,
} from './errors.js';
import { PipelineCache, type Kernel, type OverrideConstants, type StorageDType } from './pipelines.js';
import { Profiler } from './profiler.js';
import { bindTensors, packUniforms, type DispatchArgs, type RecordedDispatch } from './recorder.js';
import { BYTES_PER_ELEMENT, f16BitsToF32, f32ToF16Bits, shapeSize, Tensor, type DType, type TensorOwner } from './tensor.js';
import { GpuWaiter, now, yieldToApp } from './wait.js';

export interface EngineOptions extends DeviceOptions {
  /** Idle bytes the buffer pool may keep (default 256 MiB). */
  maxIdlePoolBytes?: number;
  debug?: {
    /** false: destroy released buffers instead of reusing them (finds use-after-release). */
    pooling?: boolean;
    /** Print (or pass to the callback) the final WGSL of every kernel variant. */
    dumpWgsl?: boolean | ((key: string, code: string) => void);
  };
  /**
   * Dispatches that may wait in the queue ahead of the GPU (default 1,024); past that, submit()
   * waits for the GPU to catch up. Unbounded queueing grows the driver's per-submission memory
   * without limit: lavapipe maps memory for every queued dispatch, and a few thousand steps in
   * flight exhaust the process's memory maps (vm.max_map_count) and crash it.
   */
  maxQueuedDispatches?: number;
  /**
   * Which kernel family the ops pick: 'cpu' = the kernels tuned for Mesa's lavapipe (rows per
   * invocation, register blocks), 'gpu' = the workgroup-cooperative ones (tiled matmul,
   * workgroup attention and norms), 'auto' (default) = 'cpu' on lavapipe, else 'gpu'
   * (SwiftShader runs the GPU family faster too). In Node the BA_KERNELS environment variable
   * (gpu|cpu) overrides 'auto', so the GPU kernels can be proven on a CPU adapter.
   */
  kernels?: KernelProfileOption;
  /** Called once if the device is lost for any reason other than dispose(). */
  onDeviceLost?: (error: DeviceLostError) => void;
}

export type KernelProfile = 'gpu' | 'cpu';
export type KernelProfileOption = KernelProfile | 'auto';

export interface SubmitOptions {
  /** Wait until the GPU has finished the step, and return its GPU time. */
  timed?: boolean;
  /**
   * Split the step into submits of about this many milliseconds of GPU work each, waiting for
   * each and calling `yieldBetween` between them, so a render loop sharing the queue keeps its
   * frame rate. Implies `timed`.
   */
  frameBudgetMs?: number;
  /** Between budgeted submits (default: the next animation frame in a page, else a macrotask). */
  yieldBetween?: () => Promise<void>;
}

/** A step that was waited for: its GPU time and how many submits it took. */
export interface StepTiming {
  /** Timestamp queries where the adapter has them, else the wall clock from submit to completion. */
  gpuMs: number;
  submits: number;
}

export interface KernelCall extends DispatchArgs {
  kernel: Kernel;
  /** Storage dtype of the variant (default f32). */
  dtype?: StorageDType;
  constants?: OverrideConstants;
}

/** Uniform slices are aligned to the device's minUniformBufferOffsetAlignment (256 max). */
const UNIFORM_ALIGN = 256;

export class Engine implements TensorOwner {
  readonly device: GPUDevice;
  readonly features: ReadonlySet<string>;
  readonly limits: GPUSupportedLimits;
  readonly adapterInfo: AcquiredDevice['adapterInfo'];
  readonly source: AcquiredDevice['source'];
  readonly icd: string | undefined;
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  readonly profiler: Profiler;
  /** The kernel family the ops pick (EngineOptions.kernels resolved). */
  readonly kernelProfile: KernelProfile;

  private readonly owned: boolean;
  private readonly waiter: GpuWaiter;
  private readonly maxQueuedDispatches: number;
  private recorded: RecordedDispatch[] = [];
  private uniformArena: GPUBuffer | undefined;
  private readonly staging = new Set<GPUBuffer>();
  /** Measured GPU milliseconds per dispatch (kernel variant and grid), for frame-budgeted submits. */
  private readonly dispatchCosts = new Map<string, number>();
  private longestDispatch: number | undefined;
  private stepTimer: { querySet: GPUQuerySet; resolve: GPUBuffer; read: GPUBuffer } | undefined;
  /** Open guard() calls, innermost last: the live tensors each has created, by buffer. */
  private readonly guards: Map<GPUBuffer, Tensor>[] = [];
  private uncaptured: GPUError[] = [];
  private lostError: DeviceLostError | undefined;
  private disposed = false;
  private readonly onUncapturedError = (ev: Event) => this.uncaptured.push((ev as GPUUncapturedErrorEvent).error);

  static async create(options: EngineOptions = {}): Promise<Engine> {
    return new Engine(await acquireDevice(options), options);
  }

  private constructor(acquired: AcquiredDevice, options: EngineOptions) {
    const device = acquired.device;
    this.device = device;
    this.owned = acquired.owned;
    this.source = acquired.source;
    this.icd = acquired.icd;
    this.adapterInfo = acquired.adapterInfo;
    this.features = new Set(device.features);
    this.limits = device.limits;
    this.pool = new BufferPool(device, {
      enabled: options.debug?.pooling ?? true,
      maxIdleBytes: options.maxIdlePoolBytes ?? 256 * 2 ** 20,
    });
    this.pipelines = new PipelineCache(device, { dumpWgsl: options.debug?.dumpWgsl });
    this.profiler = new Profiler(this.features.has('timestamp-query') ? 'timestamp' : 'wallclock');
    this.waiter = new GpuWaiter(acquired.source === 'dawn-node');
    this.kernelProfile = resolveKernelProfile(options.kernels, acquired.adapterInfo);
    this.maxQueuedDispatches = options.maxQueuedDispatches ?? 1024;
    if (!(this.maxQueuedDispatches >= 1)) throw new EngineError(`maxQueuedDispatches must be at least 1, got ${options.maxQueuedDispatches}`);
    device.addEventListener('uncapturederror', this.onUncapturedError);
    void device.lost.then((info) => {
      this.lostError = new DeviceLostError(info.reason ?? 'unknown', info.message);
      if (!this.disposed) options.onDeviceLost?.(this.lostError);
    });
  }

  has(feature: OptionalFeature): boolean {
    return this.features.has(feature);
  }

  /** A one-line description of the adapter for logs and benchmark reports. */
  describe(): string {
    const a = this.adapterInfo;
    const name = [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ') || 'unknown adapter';
    return `${name} via ${this.source}${this.icd ? ` (${this.icd})` : ''}; features: ${[...this.features].filter((f) => ['shader-f16', 'timestamp-query', 'subgroups'].includes(f)).join(', ') || 'none'}`;
  }

  // ---- tensors -------------------------------------------------------------------------

  /** An uninitialised tensor for a kernel's output. */
  empty(shape: readonly number[], dtype: DType = 'f32', label?: string): Tensor {
    this.assertUsable();
    const bytes = shapeSize(shape) * BYTES_PER_ELEMENT[dtype];
    return this.track(new Tensor(this, this.pool.acquire(bytes, false, label), [...shape], dtype));
  }

  /** Uploads host data; f32 values are rounded to f16 for f16 tensors. */
  upload(data: ArrayLike<number>, shape: readonly number[], dtype: DType = 'f32', label?: string): Tensor {
    this.assertUsable();
    const n = shapeSize(shape);
    if (data.length !== n) throw new ShapeError(`upload: ${data.length} values for shape [${shape}] (${n} elements)`);
    const bytes = encode(data, dtype);
    const tensor = this.track(new Tensor(this, this.pool.acquire(n * BYTES_PER_ELEMENT[dtype], true, label), [...shape], dtype));
    this.writeRaw(tensor.buffer, bytes);
    return tensor;
  }

  /**
   * A view of `elements` of `base` starting at `elementOffset` (e.g. one parameter inside a
   * flat parameter arena, so a fused optimizer can update them all in one dispatch). The byte
   * offset must be a multiple of minStorageBufferOffsetAlignment. The view owns nothing.
   */
  view(base: Tensor, elementOffset: number, shape: readonly number[]): Tensor {
    base.assertAlive();
    const bytesPer = BYTES_PER_ELEMENT[base.dtype];
    const byteOffset = base.byteOffset + elementOffset * bytesPer;
    const align = this.limits.minStorageBufferOffsetAlignment;
    if (!Number.isInteger(elementOffset) || elementOffset < 0 || elementOffset + shapeSize(shape) > base.size) {
      throw new ShapeError(`view: [${shape}] at element ${elementOffset} does not fit in [${base.shape}]`);
    }
    if (byteOffset % align) throw new ShapeError(`view: byte offset ${byteOffset} is not a multiple of minStorageBufferOffsetAlignment (${align})`);
    return new Tensor(this, base.buffer, [...shape], base.dtype, false, byteOffset);
  }

  zeros(shape: readonly number[], dtype: DType = 'f32'): Tensor {
    return this.upload(new Float32Array(shapeSize(shape)), shape, dtype);
  }

  /** Overwrites a tensor's contents. Pending recorded work is submitted first, so it still sees the old data. */
  async write(tensor: Tensor, data: ArrayLike<number>): Promise<void> {
    tensor.assertAlive();
    if (data.length !== tensor.size) throw new ShapeError(`write: ${data.length} values for tensor [${tensor.shape}]`);
    if (this.recorded.length) await this.submit();
    this.writeRaw(tensor.buffer, encode(data, tensor.dtype), tensor.byteOffset);
  }

  releaseBuffer(buffer: GPUBuffer): void {
    if (this.disposed) return;
    for (const guard of this.guards) guard.delete(buffer);
    this.pool.release(buffer, this.recorded.length > 0);
  }

  /**
   * Runs `task`; if it throws, every tensor created during it that is still alive is freed, so
   * a failure anywhere inside (an op past a device limit, an out-of-memory submit, a device
   * loss, an abort) leaks nothing, however deep. What it returns is the caller's: tensors still
   * alive on success pass to the enclosing guard. Tensors made on this engine by other code
   * while the task awaits count as the task's: run one guarded operation at a time per engine
   * (ImageGenerator queues its calls).
   */
  async guard<T>(task: () => Promise<T>): Promise<T> {
    const made = new Map<GPUBuffer, Tensor>();
    const recording = this.recorded;
    const recordedBefore = recording.length;
    this.guards.push(made);
    try {
      return await task();
    } catch (err) {
      // The task's unsubmitted dispatches would only compute into the freed tensors: drop them.
      if (this.recorded === recording) this.recorded.length = recordedBefore;
      else this.recorded = [];
      if (!this.recorded.length) this.pool.onSubmitted();
      for (const t of made.values()) t.dispose();
      throw err;
    } finally {
      this.guards.splice(this.guards.indexOf(made), 1);
      const outer = this.guards.at(-1);
      if (outer) for (const [buffer, t] of made) outer.set(buffer, t);
    }
  }

  async readTensor(tensor: Tensor): Promise<Float32Array | Int32Array | Uint32Array> {
    await this.submit();
    const bytes = Math.ceil(tensor.byteLength / 4) * 4;
    const staging = this.device.createBuffer({ size: Math.max(bytes, 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.staging.add(staging);
    try {
      const encoder = this.device.createCommandEncoder();
      encoder.copyBufferToBuffer(tensor.buffer, tensor.byteOffset, staging, 0, bytes);
      this.device.queue.submit([encoder.finish()]);
      this.waiter.submitted(1);
      await this.waiter.wait('read', () => staging.mapAsync(GPUMapMode.READ));
      this.throwIfFailed();
      const raw = staging.getMappedRange().slice(0);
      staging.unmap();
      switch (tensor.dtype) {
        case 'f32': return new Float32Array(raw, 0, tensor.size);
        case 'i32': return new Int32Array(raw, 0, tensor.size);
        case 'u32': return new Uint32Array(raw, 0, tensor.size);
        case 'f16': {
          const halves = new Uint16Array(raw, 0, tensor.size);
          return Float32Array.from(halves, f16BitsToF32);
        }
      }
    } finally {
      this.staging.delete(staging);
      staging.destroy();
    }
  }

  // ---- dispatch ------------------------------------------------------------------------

  /** Records one kernel dispatch into the open step; checks arguments against the WGSL. */
  dispatch(call: KernelCall): void {
    this.assertUsable();
    const variant = this.pipelines.variant(call.kernel, call.dtype ?? 'f32', call.constants);
    const { buffers, uniform } = bindTensors(variant, call.bindings, this.limits.maxStorageBufferBindingSize);
    const [x, y = 1, z = 1] = call.workgroups;
    const maxDim = this.limits.maxComputeWorkgroupsPerDimension;
    for (const d of [x, y, z]) {
      if (!Number.isInteger(d) || d < 0) throw new BindingError(`kernel ${call.kernel.name}: invalid workgroup count ${d}`);
      if (d > maxDim) throw new LimitExceededError('maxComputeWorkgroupsPerDimension', d, maxDim, `kernel ${call.kernel.name} dispatch`);
    }
    if (!uniform && call.uniforms && Object.keys(call.uniforms).length) {
      throw new BindingError(`kernel ${call.kernel.name} has no uniform struct but was given uniforms`);
    }
    const uniformData = uniform ? packUniforms(call.kernel.name, uniform, call.uniforms) : null;
    if (x * y * z === 0) return;
    this.recorded.push({ variant, buffers, uniformData, uniformBinding: uniform?.binding ?? -1, workgroups: [x, y, z], label: call.label ?? call.kernel.name });
  }

  /** Number of dispatches recorded and not yet submitted. */
  get pendingDispatches(): number {
    return this.recorded.length;
  }

  /**
   * Submits the recorded step as one command encoder. Resolves once WebGPU has accepted it
   * (not when the GPU finishes: use sync() or read a tensor for that). Validation and
   * out-of-memory errors of the step are thrown here, with WebGPU's message.
   */
  async submit(options: SubmitOptions = {}): Promise<StepTiming | undefined> {
    this.assertUsable();
    const step = this.recorded;
    this.recorded = [];
    if (!step.length) {
      await this.pool.checkAllocations();
      return undefined;
    }
    const budget = options.frameBudgetMs;
    if (budget !== undefined && !(budget > 0)) throw new EngineError(`frameBudgetMs must be a positive number of milliseconds, got ${budget}`);
    let pipelines: GPUComputePipeline[];
    try {
      pipelines = await Promise.all(step.map((d) => this.pipelines.pipeline(d.variant)));
      await this.pool.checkAllocations();
    } catch (err) {
      this.pool.onSubmitted();
      throw err;
    }
    const device = this.device;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let timing: StepTiming | undefined;
    const profiling = this.profiler.enabled;
    try {
      if (profiling && this.profiler.mode === 'wallclock') {
        const arena = this.writeUniformArena(step);
        for (let i = 0; i < step.length; i++) {
          const t0 = now();
          device.queue.submit([this.encode([step[i]], [pipelines[i]], arena, i).finish()]);
          this.waiter.submitted(1);
          await this.waiter.wait(`dispatch:${step[i].label}`, () => device.queue.onSubmittedWorkDone());
          this.profiler.record(step[i].label, (now() - t0) * 1e6);
        }
      } else if (profiling) {
        await this.submitWithTimestamps(step, pipelines, this.writeUniformArena(step));
      } else if (budget !== undefined) {
        timing = await this.submitSliced(step, pipelines, budget, options.yieldBetween ?? yieldToApp);
      } else if (options.timed) {
        timing = { gpuMs: await this.runSlice(step, pipelines), submits: 1 };
      } else {
        device.queue.submit([this.encode(step, pipelines, this.writeUniformArena(step), 0).finish()]);
        this.waiter.submitted(step.length);
      }
    } finally {
      this.pool.onSubmitted();
    }
    if (this.waiter.queued > this.maxQueuedDispatches) await this.waiter.wait('drain', () => device.queue.onSubmittedWorkDone());
    const [validation, oom] = await Promise.all([device.popErrorScope(), device.popErrorScope()]);
    if (oom) throw new GpuOutOfMemoryError(`out of GPU memory in step [${summarize(step)}]: ${oom.message}`);
    if (validation) throw new GpuValidationError(`WebGPU rejected step [${summarize(step)}]: ${validation.message}`);
    this.throwIfFailed();
    return timing;
  }

  /**
   * A step as several submits of at most about `budgetMs` of GPU work each, each waited for,
   * with `yieldBetween` (the app's next frame) between them: the app's own frames keep their
   * rate while a generation runs. Costs are learned per dispatch (kernel variant and grid): a
   * dispatch never seen before runs alone and is measured (the first step), later slices
   * are planned from the costs and refine them with what each slice took. The dispatches and
   * their order are the step's own, so the results are bit-identical to one submit.
   */
  private async submitSliced(step: RecordedDispatch[], pipelines: GPUComputePipeline[], budgetMs: number, yieldBetween: () => Promise<void>): Promise<StepTiming> {
    let gpuMs = 0;
    let submits = 0;
    let sinceYield = 0;
    for (let i = 0; i < step.length;) {
      if (sinceYield >= budgetMs) {
        await yieldBetween();
        sinceYield = 0;
      }
      const known = this.dispatchCosts.get(costKey(step[i]));
      let end = i + 1;
      if (known !== undefined) {
        let planned = known;
        while (end < step.length) {
          const cost = this.dispatchCosts.get(costKey(step[end]));
          if (cost === undefined || planned + cost > budgetMs) break;
          planned += cost;
          end++;
        }
      }
      const slice = step.slice(i, end);
      const ms = await this.runSlice(slice, pipelines.slice(i, end));
      const planned = slice.reduce((sum, d) => sum + (this.dispatchCosts.get(costKey(d)) ?? 0), 0);
      // A measured slice rescales its dispatches' costs: up at once when it took longer than
      // planned (an overrun costs the app a frame), down slowly when it was faster.
      const ratio = planned > 0 ? ms / planned : 1;
      for (const d of slice) {
        const key = costKey(d);
        const old = this.dispatchCosts.get(key);
        this.dispatchCosts.set(key, old === undefined || planned === 0 ? ms / slice.length : old * (ratio > 1 ? ratio : 0.8 + 0.2 * ratio));
      }
      if (slice.length === 1) this.longestDispatch = Math.max(this.longestDispatch ?? 0, ms);
      gpuMs += ms;
      sinceYield += ms;
      submits++;
      i = end;
    }
    return { gpuMs, submits };
  }

  /**
   * Submits dispatches as one compute pass and waits for the GPU to finish them; returns their
   * GPU time (timestamp queries around the pass where the adapter has them, else the wall
   * clock from submit to completion).
   */
  private async runSlice(slice: RecordedDispatch[], pipelines: GPUComputePipeline[]): Promise<number> {
    const device = this.device;
    const arena = this.writeUniformArena(slice);
    const timer = this.passTimer();
    const encoder = this.encode(slice, pipelines, arena, 0, timer && { querySet: timer.querySet, perDispatch: false });
    if (timer) {
      encoder.resolveQuerySet(timer.querySet, 0, 2, timer.resolve, 0);
      encoder.copyBufferToBuffer(timer.resolve, 0, timer.read, 0, 16);
    }
    const t0 = now();
    device.queue.submit([encoder.finish()]);
    this.waiter.submitted(slice.length);
    if (!timer) {
      await this.waiter.wait('slice', () => device.queue.onSubmittedWorkDone());
      return now() - t0;
    }
    await this.waiter.wait('slice', () => timer.read.mapAsync(GPUMapMode.READ));
    const ticks = new BigInt64Array(timer.read.getMappedRange().slice(0));
    timer.read.unmap();
    return Number(ticks[1] - ticks[0]) / 1e6;
  }

  /** Two timestamps around a compute pass, reused step after step; undefined without timestamp-query. */
  private passTimer(): { querySet: GPUQuerySet; resolve: GPUBuffer; read: GPUBuffer } | undefined {
    if (!this.features.has('timestamp-query')) return undefined;
    this.stepTimer ??= {
      querySet: this.device.createQuerySet({ type: 'timestamp', count: 2 }),
      resolve: this.device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC }),
      read: this.device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }),
    };
    return this.stepTimer;
  }

  /** Submits pending work and waits until the GPU has finished it. */
  async sync(): Promise<void> {
    await this.submit();
    await this.waiter.wait('sync', () => this.device.queue.onSubmittedWorkDone());
    this.throwIfFailed();
  }

  /** Frees every GPU resource the engine made; destroys the device only if the engine created it. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.recorded = [];
    this.device.removeEventListener('uncapturederror', this.onUncapturedError);
    this.pool.destroyAll();
    this.uniformArena?.destroy();
    this.stepTimer?.querySet.destroy();
    this.stepTimer?.resolve.destroy();
    this.stepTimer?.read.destroy();
    for (const s of this.staging) s.destroy();
    if (this.owned) this.device.destroy();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  poolStats(): PoolStats {
    return this.pool.getStats();
  }

  /**
   * The longest GPU time of one dispatch submitted alone by frame-budgeted submits so far
   * (undefined before any): a frame budget cannot split work finer than a dispatch.
   */
  get longestDispatchMs(): number | undefined {
    return this.longestDispatch;
  }

  /** What the engine holds between steps, for tests that check long runs stay flat. */
  resourceStats(): { queuedDispatches: number; uniformArenaBytes: number; stagingBuffers: number; pipelines: number; pendingDispatches: number } {
    return {
      queuedDispatches: this.waiter.queued,
      uniformArenaBytes: this.uniformArena?.size ?? 0,
      stagingBuffers: this.staging.size,
      pipelines: this.pipelines.size,
      pendingDispatches: this.recorded.length,
    };
  }

  // ---- internals -----------------------------------------------------------------------

  private track(tensor: Tensor): Tensor {
    this.guards.at(-1)?.set(tensor.buffer, tensor);
    return tensor;
  }

  private writeRaw(buffer: GPUBuffer, bytes: Uint8Array, byteOffset = 0) {
    const padded = bytes.byteLength % 4 ? new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4) : bytes;
    if (padded !== bytes) padded.set(bytes);
    this.device.queue.writeBuffer(buffer, byteOffset, padded.buffer, padded.byteOffset, padded.byteLength);
  }

  private writeUniformArena(step: RecordedDispatch[]): GPUBuffer | undefined {
    const count = step.filter((d) => d.uniformData).length;
    if (!count) return undefined;
    const needed = step.length * UNIFORM_ALIGN;
    if (!this.uniformArena || this.uniformArena.size < needed) {
      // Destroying a buffer still used by submitted work is allowed: WebGPU defers it.
      this.uniformArena?.destroy();
      this.uniformArena = this.device.createBuffer({
        label: 'uniform arena',
        size: Math.max(needed, 64 * UNIFORM_ALIGN) * 2,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
    }
    const bytes = new Uint8Array(needed);
    step.forEach((d, i) => d.uniformData && bytes.set(d.uniformData, i * UNIFORM_ALIGN));
    this.device.queue.writeBuffer(this.uniformArena, 0, bytes);
    return this.uniformArena;
  }

  /**
   * Encodes dispatches; `first` is the index of step[0] in the uniform arena. With
   * `timestamps`, either every dispatch gets its own pass with two queries (profiling) or the
   * one pass gets queries 0 and 1 around it (step timing).
   */
  private encode(step: RecordedDispatch[], pipelines: GPUComputePipeline[], arena: GPUBuffer | undefined, first: number, timestamps?: { querySet: GPUQuerySet; perDispatch: boolean }): GPUCommandEncoder {
    const encoder = this.device.createCommandEncoder();
    const perDispatch = timestamps?.perDispatch ?? false;
    let pass: GPUComputePassEncoder | undefined;
    step.forEach((d, i) => {
      const entries: GPUBindGroupEntry[] = [];
      for (const [binding, resource] of d.buffers) entries.push({ binding, resource });
      if (d.uniformData) {
        entries.push({ binding: d.uniformBinding, resource: { buffer: arena!, offset: (first + i) * UNIFORM_ALIGN, size: d.uniformData.byteLength } });
      }
      const group = this.device.createBindGroup({ layout: d.variant.layout, entries });
      if (timestamps && perDispatch) {
        pass = encoder.beginComputePass({ timestampWrites: { querySet: timestamps.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
      } else {
        pass ??= encoder.beginComputePass(timestamps ? { timestampWrites: { querySet: timestamps.querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : undefined);
      }
      pass.setPipeline(pipelines[i]);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(...d.workgroups);
      if (perDispatch) pass.end();
    });
    if (!perDispatch) pass?.end();
    return encoder;
  }

  private async submitWithTimestamps(step: RecordedDispatch[], pipelines: GPUComputePipeline[], arena: GPUBuffer | undefined) {
    const count = 2 * step.length;
    const querySet = this.device.createQuerySet({ type: 'timestamp', count });
    const resolve = this.device.createBuffer({ size: 8 * count, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const read = this.device.createBuffer({ size: 8 * count, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    try {
      const encoder = this.encode(step, pipelines, arena, 0, { querySet, perDispatch: true });
      encoder.resolveQuerySet(querySet, 0, count, resolve, 0);
      encoder.copyBufferToBuffer(resolve, 0, read, 0, 8 * count);
      this.device.queue.submit([encoder.finish()]);
      this.waiter.submitted(step.length);
      await this.waiter.wait('profile', () => read.mapAsync(GPUMapMode.READ));
      const ticks = new BigInt64Array(read.getMappedRange());
      step.forEach((d, i) => this.profiler.record(d.label, Number(ticks[2 * i + 1] - ticks[2 * i])));
      read.unmap();
    } finally {
      querySet.destroy();
      resolve.destroy();
      read.destroy();
    }
  }

  private assertUsable() {
    if (this.disposed) throw new DisposedError('this engine was disposed');
    this.throwIfFailed();
  }

  private throwIfFailed() {
    if (this.lostError) throw this.lostError;
    const err = this.uncaptured.shift();
    if (err) {
      this.uncaptured = [];
      if (err instanceof GPUOutOfMemoryError) throw new GpuOutOfMemoryError(err.message);
      throw new GpuValidationError(err.message);
    }
  }
}

function encode(data: ArrayLike<number>, dtype: DType): Uint8Array {
  switch (dtype) {
    case 'f32': return new Uint8Array(Float32Array.from(data).buffer);
    case 'i32': return new Uint8Array(checkedInts(data, Int32Array, -(2 ** 31), 2 ** 31 - 1).buffer);
    case 'u32': return new Uint8Array(checkedInts(data, Uint32Array, 0, 2 ** 32 - 1).buffer);
    case 'f16': return new Uint8Array(Uint16Array.from(data, f32ToF16Bits).buffer);
  }
}

function checkedInts<A extends Int32Array | Uint32Array>(data: ArrayLike<number>, Ctor: { from(d: ArrayLike<number>): A }, lo: number, hi: number): A {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isInteger(v) || v < lo || v > hi) throw new EngineError(`upload: element ${i} = ${v} is not a valid integer for this dtype`);
  }
  return Ctor.from(data);
}

/**
 * What a dispatch's GPU time depends on: its kernel variant, grid and integer uniforms (the
 * shapes; a matmul's K changes its cost, not its grid). Float uniforms (times, scales) do not
 * change the work, and would make every step's dispatches new.
 */
function resolveKernelProfile(option: KernelProfileOption | undefined, adapter: AcquiredDevice['adapterInfo']): KernelProfile {
  const fromEnv = typeof process !== 'undefined' ? process.env?.BA_KERNELS : undefined;
  const requested = option && option !== 'auto' ? option : fromEnv || 'auto';
  if (requested === 'gpu' || requested === 'cpu') return requested;
  if (requested !== 'auto') throw new EngineError(`kernel profile must be auto, gpu or cpu, got '${requested}'${option ? '' : ' (BA_KERNELS)'}`);
  const name = [adapter.vendor, adapter.architecture, adapter.device, adapter.description].join('/');
  return /llvmpipe|lavapipe/i.test(name) ? 'cpu' : 'gpu';
}

function costKey(d: RecordedDispatch): string {
  const uniform = d.variant.bindings.find((b) => b.kind === 'uniform');
  let shapes = '';
  if (uniform && d.uniformData) {
    const view = new DataView(d.uniformData.buffer, d.uniformData.byteOffset, d.uniformData.byteLength);
    for (const m of uniform.members) {
      if (m.scalar === 'f32') continue;
      for (let i = 0; i < m.count; i++) shapes += `${view.getUint32(m.offset + 4 * i, true)},`;
    }
  }
  return `${d.variant.key}|${d.workgroups.join('x')}|${shapes}`;
}

function summarize(step: RecordedDispatch[]): string {
  const names = [...new Set(step.map((d) => d.label))];
  return names.length > 6 ? `${names.slice(0, 6).join(', ')}, ...` : names.join(', ');
}
