/**
 * Kernels, their compiled variants and the pipeline cache (the only place pipelines are made).
 *
 * A kernel is one WGSL file. A variant is that file for one storage dtype (the preamble
 * declares `alias T = f32` or, with `enable f16`, `alias T = f16`) plus override constants.
 * Shapes and scalars are not part of a variant: they travel in the `params` uniform, so one
 * pipeline serves every shape. Bind group layouts come from wgsl_reflect's reflection of the
 * final source, and every dispatch's arguments are checked against it.
 */
import { WgslReflect, type TypeInfo } from 'wgsl_reflect';

/** Array and vector types carry their element type in `format` (not on the TypeInfo base). */
const formatOf = (t: TypeInfo | null | undefined): TypeInfo | null | undefined => (t as { format?: TypeInfo | null } | null | undefined)?.format;
import { BindingError, FeatureMissingError, GpuValidationError } from './errors.js';

export interface Kernel {
  /** Short name used in cache keys, profiles and errors, e.g. 'matmul'. */
  name: string;
  /** WGSL source; uses the type alias `T` for tensor storage. */
  source: string;
  entryPoint?: string;
}

/** Storage type of the tensors a variant reads and writes. */
export type StorageDType = 'f32' | 'f16';

export type OverrideConstants = Record<string, number>;

export interface StorageBinding {
  kind: 'storage' | 'read-only-storage';
  name: string;
  binding: number;
  /** Element type as written in WGSL after alias resolution, e.g. 'f32', 'vec4<f16>', 'i32'. */
  elementType: string;
  /** Bytes per array element. */
  elementBytes: number;
}

export interface UniformMember {
  name: string;
  offset: number;
  scalar: 'u32' | 'i32' | 'f32';
  count: number;
}

export interface UniformBinding {
  kind: 'uniform';
  name: string;
  binding: number;
  size: number;
  members: UniformMember[];
}

export type BindingInfo = StorageBinding | UniformBinding;

export interface Variant {
  key: string;
  kernel: Kernel;
  dtype: StorageDType;
  constants: OverrideConstants;
  code: string;
  bindings: BindingInfo[];
  layout: GPUBindGroupLayout;
  pipelineLayout: GPUPipelineLayout;
}

export interface PipelineCacheOptions {
  /** Print (or hand to the callback) the final WGSL of each new variant. */
  dumpWgsl?: boolean | ((key: string, code: string) => void);
}

export class PipelineCache {
  private readonly variants = new Map<string, Variant>();
  private readonly pending = new Map<string, Promise<GPUComputePipeline>>();
  private readonly ready = new Map<string, GPUComputePipeline>();

  constructor(
    private readonly device: GPUDevice,
    private readonly options: PipelineCacheOptions = {},
  ) {}

  /** The variant (reflected and with its bind group layout); created on first use, synchronously. */
  variant(kernel: Kernel, dtype: StorageDType, constants: OverrideConstants = {}): Variant {
    const key = variantKey(kernel.name, dtype, constants);
    let v = this.variants.get(key);
    if (v) return v;
    if (dtype === 'f16' && !this.device.features.has('shader-f16')) {
      throw new FeatureMissingError('shader-f16', `kernel ${kernel.name} in f16`);
    }
    const code = withPreamble(dtype, kernel.source);
    const bindings = reflectBindings(kernel.name, code);
    const layout = this.device.createBindGroupLayout({
      label: key,
      entries: bindings.map((b) => ({
        binding: b.binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: b.kind },
      })),
    });
    const pipelineLayout = this.device.createPipelineLayout({ label: key, bindGroupLayouts: [layout] });
    v = { key, kernel, dtype, constants, code, bindings, layout, pipelineLayout };
    this.variants.set(key, v);
    const dump = this.options.dumpWgsl;
    if (dump) (typeof dump === 'function' ? dump : defaultDump)(key, code);
    return v;
  }

  /** The compiled pipeline of a variant; compiled asynchronously once, then cached. */
  pipeline(v: Variant): Promise<GPUComputePipeline> {
    const hit = this.pending.get(v.key);
    if (hit) return hit;
    const promise = this.compile(v);
    this.pending.set(v.key, promise);
    promise.then((p) => this.ready.set(v.key, p), () => this.pending.delete(v.key));
    return promise;
  }

  /** A pipeline that already finished compiling, if any. */
  readyPipeline(key: string): GPUComputePipeline | undefined {
    return this.ready.get(key);
  }

  get size(): number {
    return this.ready.size;
  }

  private async compile(v: Variant): Promise<GPUComputePipeline> {
    // The module's own validation error is captured here and reported with its line numbers,
    // instead of escaping as an uncaptured error.
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ label: v.key, code: v.code });
    const moduleError = await this.device.popErrorScope();
    if (moduleError) throw new GpuValidationError(`compiling kernel ${v.key} failed: ${await compileMessages(module, moduleError.message)}`);
    try {
      // Asynchronous: SwiftShader takes up to a second per large kernel, which must not block a page.
      return await this.device.createComputePipelineAsync({
        label: v.key,
        layout: v.pipelineLayout,
        compute: { module, entryPoint: v.kernel.entryPoint ?? 'main', constants: v.constants },
      });
    } catch (err) {
      throw new GpuValidationError(`compiling kernel ${v.key} failed: ${await compileMessages(module, (err as Error).message)}`);
    }
  }
}

async function compileMessages(module: GPUShaderModule, fallback: string): Promise<string> {
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error').map((m) => `line ${m.lineNum}:${m.linePos}: ${m.message}`);
  return errors.length ? errors.join('\n') : fallback;
}

export function variantKey(name: string, dtype: StorageDType, constants: OverrideConstants): string {
  const c = Object.keys(constants)
    .sort()
    .map((k) => `${k}=${constants[k]}`)
    .join(',');
  return `${name}:${dtype}${c ? ':' + c : ''}`;
}

function preamble(dtype: StorageDType): string {
  return dtype === 'f16' ? 'enable f16;\nalias T = f16;\n' : 'alias T = f32;\n';
}

const DIRECTIVE = /^[ \t]*enable[ \t]+[\w, \t]+;[ \t]*(?:\r?\n|$)/gm;

/**
 * The dtype preamble before the kernel's source, with the kernel's own directives (`enable
 * subgroups;`) hoisted above it: WGSL accepts directives only before every declaration, and ops
 * prepend consts to some sources.
 */
function withPreamble(dtype: StorageDType, source: string): string {
  const directives = (source.match(DIRECTIVE) ?? []).map((d) => d.trim() + '\n').join('');
  return directives + preamble(dtype) + source.replace(DIRECTIVE, '');
}

function defaultDump(key: string, code: string) {
  console.log(`// ---- WGSL ${key} ----\n${code}`);
}

const SCALARS = new Set(['u32', 'i32', 'f32']);

/** Reflects group 0 of a kernel into binding descriptions (storage arrays and one uniform struct). */
export function reflectBindings(kernelName: string, code: string): BindingInfo[] {
  let reflect: WgslReflect;
  try {
    reflect = new WgslReflect(code);
  } catch (err) {
    throw new GpuValidationError(`kernel ${kernelName}: WGSL could not be parsed: ${(err as Error).message}`);
  }
  const out: BindingInfo[] = [];
  for (const u of reflect.uniforms) {
    if (u.group !== 0) throw new BindingError(`kernel ${kernelName}: only @group(0) is supported (${u.name})`);
    const members = (u.members ?? []).map((m): UniformMember => {
      const isVec = m.type.name.startsWith('vec');
      const scalar = (isVec ? formatOf(m.type)?.name : m.type.name) ?? '';
      if (!SCALARS.has(scalar)) throw new BindingError(`kernel ${kernelName}: uniform member ${u.name}.${m.name} has unsupported type ${m.type.name}`);
      return { name: m.name, offset: m.offset, scalar: scalar as UniformMember['scalar'], count: isVec ? Number(m.type.name.slice(3, 4)) || m.size / 4 : 1 };
    });
    out.push({ kind: 'uniform', name: u.name, binding: u.binding, size: u.size, members });
  }
  for (const s of reflect.storage) {
    if (s.group !== 0) throw new BindingError(`kernel ${kernelName}: only @group(0) is supported (${s.name})`);
    const format = formatOf(s.type);
    const inner = formatOf(format);
    const elementType = format ? (inner ? `${format.name}<${inner.name}>` : format.name) : s.type.name;
    const elementBytes = s.type.isArray ? s.stride : s.size;
    out.push({
      kind: s.access === 'read_write' ? 'storage' : 'read-only-storage',
      name: s.name,
      binding: s.binding,
      elementType,
      elementBytes,
    });
  }
  return out.sort((a, b) => a.binding - b.binding);
}
