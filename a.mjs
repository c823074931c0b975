// src/gpu/errors.ts
var EngineError = class extends Error {
  name = "EngineError";
};
var GpuUnavailableError = class extends EngineError {
  name = "GpuUnavailableError";
};
var FeatureMissingError = class extends EngineError {
  constructor(feature, what) {
    super(`${what} needs the WebGPU feature '${feature}', which this device was not granted`);
    this.feature = feature;
  }
  feature;
  name = "FeatureMissingError";
};
var LimitExceededError = class extends EngineError {
  constructor(limit, requested, allowed, what) {
    super(`${what}: ${requested} exceeds the device limit ${limit} = ${allowed}`);
    this.limit = limit;
    this.requested = requested;
    this.allowed = allowed;
  }
  limit;
  requested;
  allowed;
  name = "LimitExceededError";
};
var GpuValidationError = class extends EngineError {
  name = "GpuValidationError";
};
var GpuOutOfMemoryError = class extends EngineError {
  name = "GpuOutOfMemoryError";
};
var DeviceLostError = class extends EngineError {
  constructor(reason, message) {
    super(`GPU device lost (${reason}): ${message}`);
    this.reason = reason;
  }
  reason;
  name = "DeviceLostError";
};
var ShapeError = class extends EngineError {
  name = "ShapeError";
};
var BindingError = class extends EngineError {
  name = "BindingError";
};
var DisposedError = class extends EngineError {
  name = "DisposedError";
};

// src/gpu/device.ts
var OPTIONAL_FEATURES = ["shader-f16", "timestamp-query", "subgroups"];
var REQUESTED_LIMITS = [
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupSizeY",
  "maxComputeWorkgroupSizeZ",
  "maxComputeWorkgroupsPerDimension",
  "maxStorageBuffersPerShaderStage"
];
var SOFTWARE_ICDS = [
  "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json",
  "/usr/share/vulkan/icd.d/lvp_icd.json",
  "/usr/share/vulkan/icd.d/lvp_icd.aarch64.json",
  "/usr/lib/chromium/vk_swiftshader_icd.json"
];
async function acquireDevice(options = {}) {
  if (options.device) {
    checkRequired(options.device.features, options.requiredFeatures);
    return { device: options.device, owned: false, source: "host", adapterInfo: describeAdapter(options.device.adapterInfo) };
  }
  const nav = globalThis.navigator;
  if (nav?.gpu) {
    const adapter = await nav.gpu.requestAdapter({ powerPreference: options.powerPreference });
    if (!adapter) throw new GpuUnavailableError("navigator.gpu.requestAdapter() returned no adapter (is WebGPU enabled?)");
    return { device: await openDevice(adapter, options), owned: true, source: "navigator", adapterInfo: describeAdapter(adapter.info) };
  }
  if (isNode()) return acquireNodeDevice(options);
  throw new GpuUnavailableError("this environment has no navigator.gpu: WebGPU is unavailable");
}
async function acquireNodeDevice(options) {
  const dawn = await loadDawn();
  const env = process.env;
  const tried = [];
  const attempt = async (icd2) => {
    const gpu = dawn.create([]);
    const adapter2 = await gpu.requestAdapter({ powerPreference: options.powerPreference });
    tried.push(icd2 ?? "system Vulkan drivers");
    return adapter2;
  };
  let icd = env.VK_ICD_FILENAMES;
  let adapter = await attempt(icd);
  if (!adapter && !icd && (await import("node:worker_threads")).isMainThread) {
    const fs = await import("node:fs");
    for (const candidate of SOFTWARE_ICDS.filter((p2) => fs.existsSync(p2))) {
      env.VK_ICD_FILENAMES = candidate;
      adapter = await attempt(candidate);
      if (adapter) {
        icd = candidate;
        break;
      }
    }
    if (!adapter) delete env.VK_ICD_FILENAMES;
  }
  if (!adapter) {
    throw new GpuUnavailableError(
      `Dawn found no WebGPU adapter (tried: ${tried.join(", ")}). Install a GPU driver or a software Vulkan driver: Mesa lavapipe >= 24 (Debian 12: apt-get install -t bookworm-backports mesa-vulkan-drivers) or Chromium (its SwiftShader ICD), or point VK_ICD_FILENAMES at one.`
    );
  }
  return { device: await openDevice(adapter, options), owned: true, source: "dawn-node", icd, adapterInfo: describeAdapter(adapter.info) };
}
var dawnModule;
async function loadDawn() {
  const specifier = "webgpu";
  dawnModule ??= import(
    /* @vite-ignore */
    specifier
  ).then((m3) => {
    for (const [name, value] of Object.entries(m3.globals)) {
      if (!(name in globalThis)) globalThis[name] = value;
    }
    return m3;
  }, (err) => {
    dawnModule = void 0;
    throw new GpuUnavailableError(`cannot load the 'webgpu' package (Dawn for Node): ${String(err)}`);
  });
  return dawnModule;
}
async function openDevice(adapter, options) {
  checkRequired(adapter.features, options.requiredFeatures);
  const disabled = new Set(options.disableFeatures ?? []);
  const requiredFeatures = OPTIONAL_FEATURES.filter((f2) => adapter.features.has(f2) && !disabled.has(f2));
  const requiredLimits = {};
  for (const name of REQUESTED_LIMITS) requiredLimits[name] = adapter.limits[name];
  return adapter.requestDevice({ requiredFeatures, requiredLimits, label: "ba-webgpu" });
}
function checkRequired(features, required = []) {
  for (const f2 of required) if (!features.has(f2)) throw new FeatureMissingError(f2, "this engine configuration");
}
function describeAdapter(info) {
  return {
    vendor: info?.vendor ?? "",
    architecture: info?.architecture ?? "",
    device: info?.device ?? "",
    description: info?.description ?? ""
  };
}
function isNode() {
  return typeof process !== "undefined" && !!process.versions?.node;
}

// src/gpu/buffer-pool.ts
var BufferPool = class _BufferPool {
  constructor(device2, options) {
    this.device = device2;
    this.options = options;
  }
  device;
  options;
  idle = /* @__PURE__ */ new Map();
  idleOrder = [];
  /** Released during the open recording: reusable for its kernel outputs, free after submit. */
  releasedInRecording = [];
  live = /* @__PURE__ */ new Set();
  all = /* @__PURE__ */ new Set();
  stats = { liveBytes: 0, idleBytes: 0, peakBytes: 0, created: 0, reused: 0 };
  pendingBytes = 0;
  allocationChecks = [];
  /** Size classes: 256-byte granules up to 64 KiB, then 8 steps per power of two (<= 12.5 % waste). */
  static sizeClass(bytes) {
    const b2 = Math.max(bytes, 16);
    if (b2 <= 65536) return Math.ceil(b2 / 256) * 256;
    const step2 = 2 ** (Math.floor(Math.log2(b2)) - 3);
    return Math.ceil(b2 / step2) * step2;
  }
  /**
   * A storage buffer of at least `bytes`. `forUpload` buffers are filled by queue.writeBuffer,
   * so they must not come from buffers still used by unsubmitted work.
   */
  acquire(bytes, forUpload, label) {
    const size = _BufferPool.sizeClass(bytes);
    const maxBufferSize = this.device.limits.maxBufferSize;
    if (size > maxBufferSize) throw new LimitExceededError("maxBufferSize", bytes, maxBufferSize, `allocating a ${label ?? "tensor"} buffer`);
    if (this.options.enabled) {
      const reused = !forUpload && this.takeReleasedInRecording(size) || this.takeIdle(size);
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
  release(buffer, recording) {
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
  onSubmitted() {
    const released = this.releasedInRecording;
    this.releasedInRecording = [];
    this.pendingBytes = 0;
    for (const b2 of released) this.toIdle(b2);
  }
  /** Resolves when every creation so far succeeded; rejects with the size that failed. */
  async checkAllocations() {
    const checks = this.allocationChecks.splice(0);
    await Promise.all(checks);
  }
  getStats() {
    return { ...this.stats };
  }
  /** Destroys idle buffers (live ones stay valid). */
  trim() {
    for (const b2 of this.idleOrder) this.destroy(b2);
    this.idle.clear();
    this.idleOrder = [];
    this.stats.idleBytes = 0;
  }
  /** Destroys every buffer the pool ever created that still exists. */
  destroyAll() {
    for (const b2 of this.all) b2.destroy();
    this.all.clear();
    this.live.clear();
    this.idle.clear();
    this.idleOrder = [];
    this.releasedInRecording = [];
    this.stats.liveBytes = this.stats.idleBytes = this.pendingBytes = 0;
  }
  create(size, label) {
    const device2 = this.device;
    device2.pushErrorScope("out-of-memory");
    device2.pushErrorScope("validation");
    const buffer = device2.createBuffer({
      size,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      label
    });
    const validation = device2.popErrorScope();
    const oom = device2.popErrorScope();
    this.allocationChecks.push(
      Promise.all([validation, oom]).then(([v2, o2]) => {
        const err = o2 ?? v2;
        if (err) {
          throw new GpuOutOfMemoryError(
            `allocating ${size} bytes for ${label ?? "a tensor"} failed (pool holds ${this.stats.liveBytes} live + ${this.stats.idleBytes} idle bytes): ${err.message}`
          );
        }
      })
    );
    this.all.add(buffer);
    this.stats.created++;
    return buffer;
  }
  markLive(buffer) {
    this.live.add(buffer);
    this.stats.liveBytes += buffer.size;
    this.stats.peakBytes = Math.max(this.stats.peakBytes, this.stats.liveBytes + this.stats.idleBytes + this.pendingBytes);
  }
  takeReleasedInRecording(size) {
    const i2 = this.releasedInRecording.findIndex((b2) => b2.size === size);
    if (i2 < 0) return void 0;
    const [buffer] = this.releasedInRecording.splice(i2, 1);
    this.pendingBytes -= size;
    return buffer;
  }
  takeIdle(size) {
    const list = this.idle.get(size);
    const buffer = list?.pop();
    if (!buffer) return void 0;
    this.idleOrder.splice(this.idleOrder.indexOf(buffer), 1);
    this.stats.idleBytes -= size;
    return buffer;
  }
  toIdle(buffer) {
    if (!this.options.enabled) {
      this.destroy(buffer);
      return;
    }
    let list = this.idle.get(buffer.size);
    if (!list) this.idle.set(buffer.size, list = []);
    list.push(buffer);
    this.idleOrder.push(buffer);
    this.stats.idleBytes += buffer.size;
    while (this.stats.idleBytes > this.options.maxIdleBytes && this.idleOrder.length) {
      const oldest = this.idleOrder.shift();
      const l2 = this.idle.get(oldest.size);
      l2.splice(l2.indexOf(oldest), 1);
      this.stats.idleBytes -= oldest.size;
      this.destroy(oldest);
    }
  }
  destroy(buffer) {
    this.all.delete(buffer);
    buffer.destroy();
  }
};

// node_modules/wgsl_reflect/wgsl_reflect.module.js
var e = class {
  constructor(e3, t2) {
    this.name = e3, this.attributes = t2, this.size = 0;
  }
  get isArray() {
    return false;
  }
  get isStruct() {
    return false;
  }
  get isTemplate() {
    return false;
  }
  get isPointer() {
    return false;
  }
  getTypeName() {
    return this.name;
  }
};
var t = class {
  constructor(e3, t2, n2) {
    this.name = e3, this.type = t2, this.attributes = n2, this.offset = 0, this.size = 0;
  }
  get isArray() {
    return this.type.isArray;
  }
  get isStruct() {
    return this.type.isStruct;
  }
  get isTemplate() {
    return this.type.isTemplate;
  }
  get align() {
    return this.type.isStruct ? this.type.align : 0;
  }
  get members() {
    return this.type.isStruct ? this.type.members : null;
  }
  get format() {
    return this.type.isArray || this.type.isTemplate ? this.type.format : null;
  }
  get count() {
    return this.type.isArray ? this.type.count : 0;
  }
  get stride() {
    return this.type.isArray ? this.type.stride : this.size;
  }
};
var n = class extends e {
  constructor(e3, t2) {
    super(e3, t2), this.members = [], this.align = 0, this.startLine = -1, this.endLine = -1, this.inUse = false;
  }
  get isStruct() {
    return true;
  }
};
var s = class extends e {
  constructor(e3, t2) {
    super(e3, t2), this.count = 0, this.stride = 0;
  }
  get isArray() {
    return true;
  }
  getTypeName() {
    return `array<${this.format.getTypeName()}, ${this.count}>`;
  }
};
var r = class extends e {
  constructor(e3, t2, n2) {
    super(e3, n2), this.format = t2;
  }
  get isPointer() {
    return true;
  }
  getTypeName() {
    return `&${this.format.getTypeName()}`;
  }
};
var i = class extends e {
  constructor(e3, t2, n2, s2) {
    super(e3, n2), this.format = t2, this.access = s2;
  }
  get isTemplate() {
    return true;
  }
  getTypeName() {
    let e3 = this.name;
    if (null !== this.format) {
      if ("vec2" === e3 || "vec3" === e3 || "vec4" === e3 || "mat2x2" === e3 || "mat2x3" === e3 || "mat2x4" === e3 || "mat3x2" === e3 || "mat3x3" === e3 || "mat3x4" === e3 || "mat4x2" === e3 || "mat4x3" === e3 || "mat4x4" === e3) {
        if ("f32" === this.format.name) return e3 += "f", e3;
        if ("i32" === this.format.name) return e3 += "i", e3;
        if ("u32" === this.format.name) return e3 += "u", e3;
        if ("bool" === this.format.name) return e3 += "b", e3;
        if ("f16" === this.format.name) return e3 += "h", e3;
      }
      e3 += `<${this.format.name}>`;
    } else if ("vec2" === e3 || "vec3" === e3 || "vec4" === e3) return e3;
    return e3;
  }
};
var a;
((e3) => {
  e3[e3.Uniform = 0] = "Uniform", e3[e3.Storage = 1] = "Storage", e3[e3.Immediate = 2] = "Immediate", e3[e3.Texture = 3] = "Texture", e3[e3.Sampler = 4] = "Sampler", e3[e3.StorageTexture = 5] = "StorageTexture";
})(a || (a = {}));
var o = class {
  constructor(e3, t2, n2, s2, r2, i2, a2) {
    this.relations = null, this.name = e3, this.type = t2, this.group = n2, this.binding = s2, this.attributes = r2, this.resourceType = i2, this.access = a2;
  }
  get isArray() {
    return this.type.isArray;
  }
  get isStruct() {
    return this.type.isStruct;
  }
  get isTemplate() {
    return this.type.isTemplate;
  }
  get size() {
    return this.type.size;
  }
  get align() {
    return this.type.isStruct ? this.type.align : 0;
  }
  get members() {
    return this.type.isStruct ? this.type.members : null;
  }
  get format() {
    return this.type.isArray || this.type.isTemplate ? this.type.format : null;
  }
  get count() {
    return this.type.isArray ? this.type.count : 0;
  }
  get stride() {
    return this.type.isArray ? this.type.stride : this.size;
  }
};
var l = class {
  constructor(e3, t2) {
    this.name = e3, this.type = t2;
  }
};
var u = class {
  constructor(e3, t2, n2, s2) {
    this.name = e3, this.type = t2, this.locationType = n2, this.location = s2, this.interpolation = null;
  }
};
var c = class {
  constructor(e3, t2, n2, s2) {
    this.name = e3, this.type = t2, this.locationType = n2, this.location = s2;
  }
};
var h = class {
  constructor(e3, t2, n2, s2) {
    this.name = e3, this.type = t2, this.attributes = n2, this.id = s2;
  }
};
var f = class {
  constructor(e3, t2, n2) {
    this.name = e3, this.type = t2, this.attributes = n2;
  }
};
var p = class {
  constructor(e3, t2 = null, n2) {
    this.stage = null, this.inputs = [], this.outputs = [], this.arguments = [], this.returnType = null, this.resources = [], this.overrides = [], this.workgroupSize = null, this.startLine = -1, this.endLine = -1, this.inUse = false, this.calls = /* @__PURE__ */ new Set(), this.name = e3, this.stage = t2, this.attributes = n2;
  }
};
var d = class {
  constructor() {
    this.vertex = [], this.fragment = [], this.compute = [];
  }
};
function m(e3) {
  var t2 = (32768 & e3) >> 15, n2 = (31744 & e3) >> 10, s2 = 1023 & e3;
  return 0 == n2 ? (t2 ? -1 : 1) * Math.pow(2, -14) * (s2 / Math.pow(2, 10)) : 31 == n2 ? s2 ? NaN : 1 / 0 * (t2 ? -1 : 1) : (t2 ? -1 : 1) * Math.pow(2, n2 - 15) * (1 + s2 / Math.pow(2, 10));
}
var _ = new Float32Array(1);
var g = new Int32Array(_.buffer);
var x = new Uint16Array(1);
function y(e3) {
  _[0] = e3;
  const t2 = g[0], n2 = t2 >> 31 & 1;
  let s2 = t2 >> 23 & 255, r2 = 8388607 & t2;
  if (255 === s2) return x[0] = n2 << 15 | 31744 | (0 !== r2 ? 512 : 0), x[0];
  if (0 === s2) {
    if (0 === r2) return x[0] = n2 << 15, x[0];
    r2 |= 8388608;
    let e4 = 113;
    for (; !(8388608 & r2); ) r2 <<= 1, e4--;
    return s2 = 127 - e4, r2 &= 8388607, s2 > 0 ? (r2 = (r2 >> 126 - s2) + (r2 >> 127 - s2 & 1), x[0] = n2 << 15 | s2 << 10 | r2 >> 13, x[0]) : (x[0] = n2 << 15, x[0]);
  }
  return s2 = s2 - 127 + 15, s2 >= 31 ? (x[0] = n2 << 15 | 31744, x[0]) : s2 <= 0 ? s2 < -10 ? (x[0] = n2 << 15, x[0]) : (r2 = (8388608 | r2) >> 1 - s2, x[0] = n2 << 15 | r2 >> 13, x[0]) : (r2 >>= 13, x[0] = n2 << 15 | s2 << 10 | r2, x[0]);
}
var v = new Uint32Array(1);
var b = new Float32Array(v.buffer, 0, 1);
function w(e3) {
  const t2 = 112 + (e3 >> 6 & 31) << 23 | (63 & e3) << 17;
  return v[0] = t2, b[0];
}
function k(e3, t2, n2, s2, r2, i2, a2, o2, l2) {
  const u2 = s2 * (a2 >>= r2) * (i2 >>= r2) + n2 * a2 + t2 * o2;
  switch (l2) {
    case "r8unorm":
      return [I(e3, u2, "8unorm", 1)[0]];
    case "r8snorm":
      return [I(e3, u2, "8snorm", 1)[0]];
    case "r8uint":
      return [I(e3, u2, "8uint", 1)[0]];
    case "r8sint":
      return [I(e3, u2, "8sint", 1)[0]];
    case "rg8unorm": {
      const t3 = I(e3, u2, "8unorm", 2);
      return [t3[0], t3[1]];
    }
    case "rg8snorm": {
      const t3 = I(e3, u2, "8snorm", 2);
      return [t3[0], t3[1]];
    }
    case "rg8uint": {
      const t3 = I(e3, u2, "8uint", 2);
      return [t3[0], t3[1]];
    }
    case "rg8sint": {
      const t3 = I(e3, u2, "8sint", 2);
      return [t3[0], t3[1]];
    }
    case "rgba8unorm-srgb":
    case "rgba8unorm": {
      const t3 = I(e3, u2, "8unorm", 4);
      return [t3[0], t3[1], t3[2], t3[3]];
    }
    case "rgba8snorm": {
      const t3 = I(e3, u2, "8snorm", 4);
      return [t3[0], t3[1], t3[2], t3[3]];
    }
    case "rgba8uint": {
      const t3 = I(e3, u2, "8uint", 4);
      return [t3[0], t3[1], t3[2], t3[3]];
    }
    case "rgba8sint": {
      const t3 = I(e3, u2, "8sint", 4);
      return [t3[0], t3[1], t3[2], t3[3]];
    }
    case "bgra8unorm-srgb":
    case "bgra8unorm": {
      const t3 = I(e3, u2, "8unorm", 4);
      return [t3[2], t3[1], t3[0], t3[3]];
    }
    case "r16uint":
      return [I(e3, u2, "16uint", 1)[0]];
    case "r16sint":
      return [I(e3, u2, "16sint", 1)[0]];
    case "r16float":
      return [I(e3, u2, "16float", 1)[0]];
    case "rg16uint": {
      const t3 = I(e3, u2, "16uint", 2);
      return [t3[0], t3[1]];
    }
    case "rg16sint": {
      const t3 = I(e3, u2, "16sint", 2);
      return [t3[0], t3[1]];
    }
    case "rg16float": {
      const t3 = I(e3, u2, "16float", 2);
      return [t3[0], t3[1]];
    }
    case "rgba16uint": {
      const t3 = I(e3, u2, "16uint", 4);
      return [t3[0], t3[1], t3[2], t3[3]];
    }
    case "rgba16sint": {
      const t3 = I(e3, u2, "16sint", 4);
      return [t3[0], t3[1], t3[2], t3[3]];
    }
    case "rgba16float": {
      const t3 = I(e3, u2, "16float", 4);
      return [t3[0], t3[1], t3[2], t3[3]];
    }
    case "r32uint":
      return [I(e3, u2, "32uint", 1)[0]];
    case "r32sint":
      return [I(e3, u2, "32sint", 1)[0]];
    case "depth16unorm":
    case "depth24plus":
    case "depth24plus-stencil8":
    case "depth32float":
    case "depth32float-stencil8":
    case "r32float":
      return [I(e3, u2, "32float", 1)[0]];
    case "rg32uint": {
      const t3 = I(e3, u2, "32uint", 2);
      return [t3[0], t3[1]];
    }
    case "rg32sint": {
      const t3 = I(e3, u2, "32sint", 2);
      return [t3[0], t3[1]];
    }
    case "rg32float": {
      const t3 = I(e3, u2, "32float", 2);
      return [t3[0], t3[1]];
    }
    case "rgba32uint": {
      const t3 = I(e3, u2, "32uint", 4);
      return [t3[0], t3[1], t3[2], t3[3]];
    }
    case "rgba32sint": {
      const t3 = I(e3, u2, "32sint", 4);
      return [t3[0], t3[1], t3[2], t3[3]];
    }
    case "rgba32float": {
      const t3 = I(e3, u2, "32float", 4);
      return [t3[0], t3[1], t3[2], t3[3]];
    }
    case "rg11b10ufloat": {
      const t3 = new Uint32Array(e3.buffer, u2, 1)[0], n3 = (4192256 & t3) >> 11, s3 = (4290772992 & t3) >> 22;
      return [w(2047 & t3), w(n3), (function(e4) {
        const t4 = 112 + (e4 >> 5 & 31) << 23 | (31 & e4) << 18;
        return v[0] = t4, b[0];
      })(s3), 1];
    }
  }
  return null;
}
function I(e3, t2, n2, s2) {
  const r2 = [0, 0, 0, 0];
  for (let i2 = 0; i2 < s2; ++i2) switch (n2) {
    case "8unorm":
      r2[i2] = e3[t2] / 255, t2++;
      break;
    case "8snorm":
      r2[i2] = e3[t2] / 255 * 2 - 1, t2++;
      break;
    case "8uint":
      r2[i2] = e3[t2], t2++;
      break;
    case "8sint":
      r2[i2] = e3[t2] - 127, t2++;
      break;
    case "16uint":
      r2[i2] = e3[t2] | e3[t2 + 1] << 8, t2 += 2;
      break;
    case "16sint":
      r2[i2] = (e3[t2] | e3[t2 + 1] << 8) - 32768, t2 += 2;
      break;
    case "16float":
      r2[i2] = m(e3[t2] | e3[t2 + 1] << 8), t2 += 2;
      break;
    case "32uint":
    case "32sint":
      r2[i2] = e3[t2] | e3[t2 + 1] << 8 | e3[t2 + 2] << 16 | e3[t2 + 3] << 24, t2 += 4;
      break;
    case "32float":
      r2[i2] = new Float32Array(e3.buffer, t2, 1)[0], t2 += 4;
  }
  return r2;
}
function T(e3, t2, n2, s2, r2) {
  for (let i2 = 0; i2 < s2; ++i2) switch (n2) {
    case "8unorm":
      e3[t2] = 255 * r2[i2], t2++;
      break;
    case "8snorm":
      e3[t2] = 0.5 * (r2[i2] + 1) * 255, t2++;
      break;
    case "8uint":
      e3[t2] = r2[i2], t2++;
      break;
    case "8sint":
      e3[t2] = r2[i2] + 127, t2++;
      break;
    case "16uint":
      new Uint16Array(e3.buffer, t2, 1)[0] = r2[i2], t2 += 2;
      break;
    case "16sint":
      new Int16Array(e3.buffer, t2, 1)[0] = r2[i2], t2 += 2;
      break;
    case "16float": {
      const n3 = y(r2[i2]);
      new Uint16Array(e3.buffer, t2, 1)[0] = n3, t2 += 2;
      break;
    }
    case "32uint":
      new Uint32Array(e3.buffer, t2, 1)[0] = r2[i2], t2 += 4;
      break;
    case "32sint":
      new Int32Array(e3.buffer, t2, 1)[0] = r2[i2], t2 += 4;
      break;
    case "32float":
      new Float32Array(e3.buffer, t2, 1)[0] = r2[i2], t2 += 4;
  }
  return r2;
}
var S = { r8unorm: { bytesPerBlock: 1, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 1 }, r8snorm: { bytesPerBlock: 1, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 1 }, r8uint: { bytesPerBlock: 1, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 1 }, r8sint: { bytesPerBlock: 1, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 1 }, rg8unorm: { bytesPerBlock: 2, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 2 }, rg8snorm: { bytesPerBlock: 2, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 2 }, rg8uint: { bytesPerBlock: 2, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 2 }, rg8sint: { bytesPerBlock: 2, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 2 }, rgba8unorm: { bytesPerBlock: 4, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 4 }, "rgba8unorm-srgb": { bytesPerBlock: 4, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 4 }, rgba8snorm: { bytesPerBlock: 4, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 4 }, rgba8uint: { bytesPerBlock: 4, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 4 }, rgba8sint: { bytesPerBlock: 4, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 4 }, bgra8unorm: { bytesPerBlock: 4, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 4 }, "bgra8unorm-srgb": { bytesPerBlock: 4, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 4 }, r16uint: { bytesPerBlock: 2, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 1 }, r16sint: { bytesPerBlock: 2, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 1 }, r16float: { bytesPerBlock: 2, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 1 }, rg16uint: { bytesPerBlock: 4, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 2 }, rg16sint: { bytesPerBlock: 4, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 2 }, rg16float: { bytesPerBlock: 4, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 2 }, rgba16uint: { bytesPerBlock: 8, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 4 }, rgba16sint: { bytesPerBlock: 8, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 4 }, rgba16float: { bytesPerBlock: 8, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 4 }, r32uint: { bytesPerBlock: 4, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 1 }, r32sint: { bytesPerBlock: 4, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 1 }, r32float: { bytesPerBlock: 4, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 1 }, rg32uint: { bytesPerBlock: 8, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 2 }, rg32sint: { bytesPerBlock: 8, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 2 }, rg32float: { bytesPerBlock: 8, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 2 }, rgba32uint: { bytesPerBlock: 16, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 4 }, rgba32sint: { bytesPerBlock: 16, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 4 }, rgba32float: { bytesPerBlock: 16, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 4 }, rgb10a2uint: { bytesPerBlock: 4, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 4 }, rgb10a2unorm: { bytesPerBlock: 4, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 4 }, rg11b10ufloat: { bytesPerBlock: 4, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 4 }, stencil8: { bytesPerBlock: 1, blockWidth: 1, blockHeight: 1, isCompressed: false, isDepthStencil: true, hasDepth: false, hasStencil: true, channels: 1 }, depth16unorm: { bytesPerBlock: 2, blockWidth: 1, blockHeight: 1, isCompressed: false, isDepthStencil: true, hasDepth: true, hasStencil: false, channels: 1 }, depth24plus: { bytesPerBlock: 4, blockWidth: 1, blockHeight: 1, isCompressed: false, isDepthStencil: true, hasDepth: true, hasStencil: false, depthOnlyFormat: "depth32float", channels: 1 }, "depth24plus-stencil8": { bytesPerBlock: 8, blockWidth: 1, blockHeight: 1, isCompressed: false, isDepthStencil: true, hasDepth: true, hasStencil: true, depthOnlyFormat: "depth32float", channels: 1 }, depth32float: { bytesPerBlock: 4, blockWidth: 1, blockHeight: 1, isCompressed: false, isDepthStencil: true, hasDepth: true, hasStencil: false, channels: 1 }, "depth32float-stencil8": { bytesPerBlock: 8, blockWidth: 1, blockHeight: 1, isCompressed: false, isDepthStencil: true, hasDepth: true, hasStencil: true, stencilOnlyFormat: "depth32float", channels: 1 }, rgb9e5ufloat: { bytesPerBlock: 4, blockWidth: 1, blockHeight: 1, isCompressed: false, channels: 4 }, "bc1-rgba-unorm": { bytesPerBlock: 8, blockWidth: 4, blockHeight: 4, isCompressed: true, channels: 4 }, "bc1-rgba-unorm-srgb": { bytesPerBlock: 8, blockWidth: 4, blockHeight: 4, isCompressed: true, channels: 4 }, "bc2-rgba-unorm": { bytesPerBlock: 16, blockWidth: 4, blockHeight: 4, isCompressed: true, channels: 4 }, "bc2-rgba-unorm-srgb": { bytesPerBlock: 16, blockWidth: 4, blockHeight: 4, isCompressed: true, channels: 4 }, "bc3-rgba-unorm": { bytesPerBlock: 16, blockWidth: 4, blockHeight: 4, isCompressed: true, channels: 4 }, "bc3-rgba-unorm-srgb": { bytesPerBlock: 16, blockWidth: 4, blockHeight: 4, isCompressed: true, channels: 4 }, "bc4-r-unorm": { bytesPerBlock: 8, blockWidth: 4, blockHeight: 4, isCompressed: true, channels: 1 }, "bc4-r-snorm": { bytesPerBlock: 8, blockWidth: 4, blockHeight: 4, isCompressed: true, channels: 1 }, "bc5-rg-unorm": { bytesPerBlock: 16, blockWidth: 4, blockHeight: 4, isCompressed: true, channels: 2 }, "bc5-rg-snorm": { bytesPerBlock: 16, blockWidth: 4, blockHeight: 4, isCompressed: true, channels: 2 }, "bc6h-rgb-ufloat": { bytesPerBlock: 16, blockWidth: 4, blockHeight: 4, isCompressed: true, channels: 4 }, "bc6h-rgb-float": { bytesPerBlock: 16, blockWidth: 4, blockHeight: 4, isCompressed: true, channels: 4 }, "bc7-rgba-unorm": { bytesPerBlock: 16, blockWidth: 4, blockHeight: 4, isCompressed: true, channels: 4 }, "bc7-rgba-unorm-srgb": { bytesPerBlock: 16, blockWidth: 4, blockHeight: 4, isCompressed: true, channels: 4 }, "etc2-rgb8unorm": { bytesPerBlock: 8, blockWidth: 4, blockHeight: 4, isCompressed: true, channels: 4 }, "etc2-rgb8unorm-srgb": { bytesPerBlock: 8, blockWidth: 4, blockHeight: 4, isCompressed: true, channels: 4 }, "etc2-rgb8a1unorm": { bytesPerBlock: 8, blockWidth: 4, blockHeight: 4, isCompressed: true, channels: 4 }, "etc2-rgb8a1unorm-srgb": { bytesPerBlock: 8, blockWidth: 4, blockHeight: 4, isCompressed: true, channels: 4 }, "etc2-rgba8unorm": { bytesPerBlock: 16, blockWidth: 4, blockHeight: 4, isCompressed: true, channels: 4 }, "etc2-rgba8unorm-srgb": { bytesPerBlock: 16, blockWidth: 4, blockHeight: 4, isCompressed: true, channels: 4 }, "eac-r11unorm": { bytesPerBlock: 8, blockWidth: 1, blockHeight: 1, isCompressed: true, channels: 1 }, "eac-r11snorm": { bytesPerBlock: 8, blockWidth: 1, blockHeight: 1, isCompressed: true, channels: 1 }, "eac-rg11unorm": { bytesPerBlock: 16, blockWidth: 1, blockHeight: 1, isCompressed: true, channels: 2 }, "eac-rg11snorm": { bytesPerBlock: 16, blockWidth: 1, blockHeight: 1, isCompressed: true, channels: 2 }, "astc-4x4-unorm": { bytesPerBlock: 16, blockWidth: 4, blockHeight: 4, isCompressed: true, channels: 4 }, "astc-4x4-unorm-srgb": { bytesPerBlock: 16, blockWidth: 4, blockHeight: 4, isCompressed: true, channels: 4 }, "astc-5x4-unorm": { bytesPerBlock: 16, blockWidth: 5, blockHeight: 4, isCompressed: true, channels: 4 }, "astc-5x4-unorm-srgb": { bytesPerBlock: 16, blockWidth: 5, blockHeight: 4, isCompressed: true, channels: 4 }, "astc-5x5-unorm": { bytesPerBlock: 16, blockWidth: 5, blockHeight: 5, isCompressed: true, channels: 4 }, "astc-5x5-unorm-srgb": { bytesPerBlock: 16, blockWidth: 5, blockHeight: 5, isCompressed: true, channels: 4 }, "astc-6x5-unorm": { bytesPerBlock: 16, blockWidth: 6, blockHeight: 5, isCompressed: true, channels: 4 }, "astc-6x5-unorm-srgb": { bytesPerBlock: 16, blockWidth: 6, blockHeight: 5, isCompressed: true, channels: 4 }, "astc-6x6-unorm": { bytesPerBlock: 16, blockWidth: 6, blockHeight: 6, isCompressed: true, channels: 4 }, "astc-6x6-unorm-srgb": { bytesPerBlock: 16, blockWidth: 6, blockHeight: 6, isCompressed: true, channels: 4 }, "astc-8x5-unorm": { bytesPerBlock: 16, blockWidth: 8, blockHeight: 5, isCompressed: true, channels: 4 }, "astc-8x5-unorm-srgb": { bytesPerBlock: 16, blockWidth: 8, blockHeight: 5, isCompressed: true, channels: 4 }, "astc-8x6-unorm": { bytesPerBlock: 16, blockWidth: 8, blockHeight: 6, isCompressed: true, channels: 4 }, "astc-8x6-unorm-srgb": { bytesPerBlock: 16, blockWidth: 8, blockHeight: 6, isCompressed: true, channels: 4 }, "astc-8x8-unorm": { bytesPerBlock: 16, blockWidth: 8, blockHeight: 8, isCompressed: true, channels: 4 }, "astc-8x8-unorm-srgb": { bytesPerBlock: 16, blockWidth: 8, blockHeight: 8, isCompressed: true, channels: 4 }, "astc-10x5-unorm": { bytesPerBlock: 16, blockWidth: 10, blockHeight: 5, isCompressed: true, channels: 4 }, "astc-10x5-unorm-srgb": { bytesPerBlock: 16, blockWidth: 10, blockHeight: 5, isCompressed: true, channels: 4 }, "astc-10x6-unorm": { bytesPerBlock: 16, blockWidth: 10, blockHeight: 6, isCompressed: true, channels: 4 }, "astc-10x6-unorm-srgb": { bytesPerBlock: 16, blockWidth: 10, blockHeight: 6, isCompressed: true, channels: 4 }, "astc-10x8-unorm": { bytesPerBlock: 16, blockWidth: 10, blockHeight: 8, isCompressed: true, channels: 4 }, "astc-10x8-unorm-srgb": { bytesPerBlock: 16, blockWidth: 10, blockHeight: 8, isCompressed: true, channels: 4 }, "astc-10x10-unorm": { bytesPerBlock: 16, blockWidth: 10, blockHeight: 10, isCompressed: true, channels: 4 }, "astc-10x10-unorm-srgb": { bytesPerBlock: 16, blockWidth: 10, blockHeight: 10, isCompressed: true, channels: 4 }, "astc-12x10-unorm": { bytesPerBlock: 16, blockWidth: 12, blockHeight: 10, isCompressed: true, channels: 4 }, "astc-12x10-unorm-srgb": { bytesPerBlock: 16, blockWidth: 12, blockHeight: 10, isCompressed: true, channels: 4 }, "astc-12x12-unorm": { bytesPerBlock: 16, blockWidth: 12, blockHeight: 12, isCompressed: true, channels: 4 }, "astc-12x12-unorm-srgb": { bytesPerBlock: 16, blockWidth: 12, blockHeight: 12, isCompressed: true, channels: 4 } };
var A = class _A {
  constructor() {
    this.id = _A._id++, this.line = 0, this.start = -1, this.end = -1;
  }
  get hasSpan() {
    return this.start >= 0 && this.end >= this.start;
  }
  get isAstNode() {
    return true;
  }
  get astNodeType() {
    return "";
  }
  search(e3) {
    e3(this);
  }
  searchBlock(e3, t2) {
    if (e3) {
      t2($.instance);
      for (const n2 of e3) n2 instanceof Array ? this.searchBlock(n2, t2) : n2.search(t2);
      t2(C.instance);
    }
  }
  constEvaluate(e3, t2) {
    throw new Error("Cannot evaluate node");
  }
  constEvaluateString(e3) {
    var t2, n2;
    return null !== (n2 = null === (t2 = this.constEvaluate(e3)) || void 0 === t2 ? void 0 : t2.toString()) && void 0 !== n2 ? n2 : "";
  }
};
A._id = 0;
var $ = class extends A {
};
$.instance = new $();
var C = class extends A {
};
C.instance = new C();
var E = /* @__PURE__ */ new Set(["all", "any", "select", "arrayLength", "abs", "acos", "acosh", "asin", "asinh", "atan", "atanh", "atan2", "ceil", "clamp", "cos", "cosh", "countLeadingZeros", "countOneBits", "countTrailingZeros", "cross", "degrees", "determinant", "distance", "dot", "dot4U8Packed", "dot4I8Packed", "exp", "exp2", "extractBits", "faceForward", "firstLeadingBit", "firstTrailingBit", "floor", "fma", "fract", "frexp", "insertBits", "inverseSqrt", "ldexp", "length", "log", "log2", "max", "min", "mix", "modf", "normalize", "pow", "quantizeToF16", "radians", "reflect", "refract", "reverseBits", "round", "saturate", "sign", "sin", "sinh", "smoothstep", "sqrt", "step", "tan", "tanh", "transpose", "trunc", "dpdx", "dpdxCoarse", "dpdxFine", "dpdy", "dpdyCoarse", "dpdyFine", "fwidth", "fwidthCoarse", "fwidthFine", "textureDimensions", "textureGather", "textureGatherCompare", "textureLoad", "textureNumLayers", "textureNumLevels", "textureNumSamples", "textureSample", "textureSampleBias", "textureSampleCompare", "textureSampleCompareLevel", "textureSampleGrad", "textureSampleLevel", "textureSampleBaseClampToEdge", "textureStore", "atomicLoad", "atomicStore", "atomicAdd", "atomicSub", "atomicMax", "atomicMin", "atomicAnd", "atomicOr", "atomicXor", "atomicExchange", "atomicCompareExchangeWeak", "pack4x8snorm", "pack4x8unorm", "pack4xI8", "pack4xU8", "pack4x8Clamp", "pack4xU8Clamp", "pack2x16snorm", "pack2x16unorm", "pack2x16float", "unpack4x8snorm", "unpack4x8unorm", "unpack4xI8", "unpack4xU8", "unpack2x16snorm", "unpack2x16unorm", "unpack2x16float", "storageBarrier", "textureBarrier", "workgroupBarrier", "workgroupUniformLoad", "subgroupAdd", "subgroupExclusiveAdd", "subgroupInclusiveAdd", "subgroupAll", "subgroupAnd", "subgroupAny", "subgroupBallot", "subgroupBroadcast", "subgroupBroadcastFirst", "subgroupElect", "subgroupMax", "subgroupMin", "subgroupMul", "subgroupExclusiveMul", "subgroupInclusiveMul", "subgroupOr", "subgroupShuffle", "subgroupShuffleDown", "subgroupShuffleUp", "subgroupShuffleXor", "subgroupXor", "quadBroadcast", "quadSwapDiagonal", "quadSwapX", "quadSwapY"]);
var L = class extends A {
};
var N = class extends L {
  constructor(e3, t2, n2, s2, r2, i2) {
    super(), this.calls = /* @__PURE__ */ new Set(), this.name = e3, this.args = t2, this.returnType = n2, this.body = s2, this.startLine = r2, this.endLine = i2;
  }
  get astNodeType() {
    return "function";
  }
  search(e3) {
    if (this.attributes) for (const t2 of this.attributes) e3(t2);
    e3(this);
    for (const t2 of this.args) e3(t2);
    this.searchBlock(this.body, e3);
  }
};
var V = class extends L {
  constructor(e3) {
    super(), this.expression = e3;
  }
  get astNodeType() {
    return "staticAssert";
  }
  search(e3) {
    this.expression.search(e3);
  }
};
var D = class extends L {
  constructor(e3, t2) {
    super(), this.condition = e3, this.body = t2;
  }
  get astNodeType() {
    return "while";
  }
  search(e3) {
    this.condition.search(e3), this.searchBlock(this.body, e3);
  }
};
var B = class extends L {
  constructor(e3, t2) {
    super(), this.body = e3, this.loopId = t2;
  }
  get astNodeType() {
    return "continuing";
  }
  search(e3) {
    this.searchBlock(this.body, e3);
  }
};
var M = class extends L {
  constructor(e3, t2, n2, s2) {
    super(), this.init = e3, this.condition = t2, this.increment = n2, this.body = s2;
  }
  get astNodeType() {
    return "for";
  }
  search(e3) {
    var t2, n2, s2;
    null === (t2 = this.init) || void 0 === t2 || t2.search(e3), null === (n2 = this.condition) || void 0 === n2 || n2.search(e3), null === (s2 = this.increment) || void 0 === s2 || s2.search(e3), this.searchBlock(this.body, e3);
  }
};
var F = class extends L {
  constructor(e3, t2, n2, s2, r2) {
    super(), this.attributes = null, this.name = e3, this.type = t2, this.storage = n2, this.access = s2, this.value = r2;
  }
  get astNodeType() {
    return "var";
  }
  search(e3) {
    var t2;
    e3(this), null === (t2 = this.value) || void 0 === t2 || t2.search(e3);
  }
};
var U = class extends L {
  constructor(e3, t2, n2) {
    super(), this.attributes = null, this.name = e3, this.type = t2, this.value = n2;
  }
  get astNodeType() {
    return "override";
  }
  search(e3) {
    var t2;
    null === (t2 = this.value) || void 0 === t2 || t2.search(e3);
  }
};
var z = class extends L {
  constructor(e3, t2, n2, s2, r2) {
    super(), this.attributes = null, this.name = e3, this.type = t2, this.storage = n2, this.access = s2, this.value = r2;
  }
  get astNodeType() {
    return "let";
  }
  search(e3) {
    var t2;
    e3(this), null === (t2 = this.value) || void 0 === t2 || t2.search(e3);
  }
};
var P = class extends L {
  constructor(e3, t2, n2, s2, r2) {
    super(), this.attributes = null, this.name = e3, this.type = t2, this.storage = n2, this.access = s2, this.value = r2;
  }
  get astNodeType() {
    return "const";
  }
  constEvaluate(e3, t2) {
    return this.value.constEvaluate(e3, t2);
  }
  search(e3) {
    var t2;
    e3(this), null === (t2 = this.value) || void 0 === t2 || t2.search(e3);
  }
};
var W;
var q;
var O;
var R;
((e3) => {
  e3.increment = "++", e3.decrement = "--";
})(W || (W = {})), ((e3) => {
  e3.parse = function(t2) {
    const n2 = t2;
    if ("parse" === n2) throw new Error("Invalid value for IncrementOperator");
    return e3[n2];
  };
})(W || (W = {}));
var H = class extends L {
  constructor(e3, t2) {
    super(), this.operator = e3, this.variable = t2;
  }
  get astNodeType() {
    return "increment";
  }
  search(e3) {
    this.variable.search(e3);
  }
};
((e3) => {
  e3.assign = "=", e3.addAssign = "+=", e3.subtractAssign = "-=", e3.multiplyAssign = "*=", e3.divideAssign = "/=", e3.moduloAssign = "%=", e3.andAssign = "&=", e3.orAssign = "|=", e3.xorAssign = "^=", e3.shiftLeftAssign = "<<=", e3.shiftRightAssign = ">>=";
})(q || (q = {})), ((e3) => {
  e3.parse = function(e4) {
    const t2 = e4;
    if ("parse" === t2) throw new Error("Invalid value for AssignOperator");
    return t2;
  };
})(q || (q = {}));
var G = class extends L {
  constructor(e3, t2, n2) {
    super(), this.operator = e3, this.variable = t2, this.value = n2;
  }
  get astNodeType() {
    return "assign";
  }
  search(e3) {
    this.variable.search(e3), this.value.search(e3);
  }
};
var X = class extends L {
  constructor(e3, t2) {
    super(), this.name = e3, this.args = t2;
  }
  get astNodeType() {
    return "call";
  }
  isBuiltin() {
    return E.has(this.name);
  }
  search(e3) {
    for (const t2 of this.args) t2.search(e3);
    e3(this);
  }
};
var j = class extends L {
  constructor(e3, t2) {
    super(), this.body = e3, this.continuing = t2;
  }
  get astNodeType() {
    return "loop";
  }
  search(e3) {
    var t2;
    this.searchBlock(this.body, e3), null === (t2 = this.continuing) || void 0 === t2 || t2.search(e3);
  }
};
var Z = class extends L {
  constructor(e3, t2) {
    super(), this.condition = e3, this.cases = t2;
  }
  get astNodeType() {
    return "switch";
  }
  search(e3) {
    e3(this);
    for (const t2 of this.cases) t2.search(e3);
  }
};
var K = class extends L {
  constructor(e3, t2, n2, s2) {
    super(), this.condition = e3, this.body = t2, this.elseif = n2, this.else = s2;
  }
  get astNodeType() {
    return "if";
  }
  search(e3) {
    this.condition.search(e3), this.searchBlock(this.body, e3), this.searchBlock(this.elseif, e3), this.searchBlock(this.else, e3);
  }
};
var Q = class extends L {
  constructor(e3) {
    super(), this.value = e3;
  }
  get astNodeType() {
    return "return";
  }
  search(e3) {
    var t2;
    null === (t2 = this.value) || void 0 === t2 || t2.search(e3);
  }
};
var J = class extends L {
  constructor(e3) {
    super(), this.name = e3;
  }
  get astNodeType() {
    return "enable";
  }
};
var Y = class extends L {
  constructor(e3) {
    super(), this.extensions = e3;
  }
  get astNodeType() {
    return "requires";
  }
};
var ee = class extends L {
  constructor(e3, t2) {
    super(), this.severity = e3, this.rule = t2;
  }
  get astNodeType() {
    return "diagnostic";
  }
};
var te = class extends L {
  constructor(e3, t2) {
    super(), this.name = e3, this.type = t2;
  }
  get astNodeType() {
    return "alias";
  }
};
var ne = class extends L {
  get astNodeType() {
    return "discard";
  }
};
var se = class extends L {
  constructor() {
    super(...arguments), this.condition = null, this.loopId = -1;
  }
  get astNodeType() {
    return "break";
  }
};
var re = class extends L {
  constructor() {
    super(...arguments), this.loopId = -1;
  }
  get astNodeType() {
    return "continue";
  }
};
var ie = class _ie extends L {
  constructor(e3) {
    super(), this.attributes = null, this.name = e3;
  }
  get astNodeType() {
    return "type";
  }
  get isStruct() {
    return false;
  }
  get isArray() {
    return false;
  }
  static maxFormatType(e3) {
    let t2 = e3[0];
    if ("f32" === t2.name) return t2;
    for (let n2 = 1; n2 < e3.length; ++n2) {
      const s2 = _ie._priority.get(t2.name);
      _ie._priority.get(e3[n2].name) < s2 && (t2 = e3[n2]);
    }
    return "x32" === t2.name ? _ie.i32 : t2;
  }
  getTypeName() {
    return this.name;
  }
};
ie.x32 = new ie("x32"), ie.f32 = new ie("f32"), ie.i32 = new ie("i32"), ie.u32 = new ie("u32"), ie.f16 = new ie("f16"), ie.bool = new ie("bool"), ie.void = new ie("void"), ie._priority = /* @__PURE__ */ new Map([["f32", 0], ["f16", 1], ["u32", 2], ["i32", 3], ["x32", 3]]);
var ae = class extends ie {
  constructor(e3) {
    super(e3);
  }
};
var oe = class extends ie {
  constructor(e3, t2, n2, s2) {
    super(e3), this.members = t2, this.startLine = n2, this.endLine = s2;
  }
  get astNodeType() {
    return "struct";
  }
  get isStruct() {
    return true;
  }
  getMemberIndex(e3) {
    for (let t2 = 0; t2 < this.members.length; t2++) if (this.members[t2].name === e3) return t2;
    return -1;
  }
  search(e3) {
    for (const t2 of this.members) e3(t2);
  }
};
var le = class extends ie {
  constructor(e3, t2, n2) {
    super(e3), this.format = t2, this.access = n2;
  }
  get astNodeType() {
    return "template";
  }
  getTypeName() {
    let e3 = this.name;
    if (null !== this.format) {
      if ("vec2" === e3 || "vec3" === e3 || "vec4" === e3 || "mat2x2" === e3 || "mat2x3" === e3 || "mat2x4" === e3 || "mat3x2" === e3 || "mat3x3" === e3 || "mat3x4" === e3 || "mat4x2" === e3 || "mat4x3" === e3 || "mat4x4" === e3) {
        if ("f32" === this.format.name) return e3 += "f", e3;
        if ("i32" === this.format.name) return e3 += "i", e3;
        if ("u32" === this.format.name) return e3 += "u", e3;
        if ("bool" === this.format.name) return e3 += "b", e3;
        if ("f16" === this.format.name) return e3 += "h", e3;
      }
      e3 += `<${this.format.name}>`;
    } else if ("vec2" === e3 || "vec3" === e3 || "vec4" === e3) return e3;
    return e3;
  }
};
le.vec2f = new le("vec2", ie.f32, null), le.vec3f = new le("vec3", ie.f32, null), le.vec4f = new le("vec4", ie.f32, null), le.vec2i = new le("vec2", ie.i32, null), le.vec3i = new le("vec3", ie.i32, null), le.vec4i = new le("vec4", ie.i32, null), le.vec2u = new le("vec2", ie.u32, null), le.vec3u = new le("vec3", ie.u32, null), le.vec4u = new le("vec4", ie.u32, null), le.vec2h = new le("vec2", ie.f16, null), le.vec3h = new le("vec3", ie.f16, null), le.vec4h = new le("vec4", ie.f16, null), le.vec2b = new le("vec2", ie.bool, null), le.vec3b = new le("vec3", ie.bool, null), le.vec4b = new le("vec4", ie.bool, null), le.mat2x2f = new le("mat2x2", ie.f32, null), le.mat2x3f = new le("mat2x3", ie.f32, null), le.mat2x4f = new le("mat2x4", ie.f32, null), le.mat3x2f = new le("mat3x2", ie.f32, null), le.mat3x3f = new le("mat3x3", ie.f32, null), le.mat3x4f = new le("mat3x4", ie.f32, null), le.mat4x2f = new le("mat4x2", ie.f32, null), le.mat4x3f = new le("mat4x3", ie.f32, null), le.mat4x4f = new le("mat4x4", ie.f32, null), le.mat2x2h = new le("mat2x2", ie.f16, null), le.mat2x3h = new le("mat2x3", ie.f16, null), le.mat2x4h = new le("mat2x4", ie.f16, null), le.mat3x2h = new le("mat3x2", ie.f16, null), le.mat3x3h = new le("mat3x3", ie.f16, null), le.mat3x4h = new le("mat3x4", ie.f16, null), le.mat4x2h = new le("mat4x2", ie.f16, null), le.mat4x3h = new le("mat4x3", ie.f16, null), le.mat4x4h = new le("mat4x4", ie.f16, null), le.mat2x2i = new le("mat2x2", ie.i32, null), le.mat2x3i = new le("mat2x3", ie.i32, null), le.mat2x4i = new le("mat2x4", ie.i32, null), le.mat3x2i = new le("mat3x2", ie.i32, null), le.mat3x3i = new le("mat3x3", ie.i32, null), le.mat3x4i = new le("mat3x4", ie.i32, null), le.mat4x2i = new le("mat4x2", ie.i32, null), le.mat4x3i = new le("mat4x3", ie.i32, null), le.mat4x4i = new le("mat4x4", ie.i32, null), le.mat2x2u = new le("mat2x2", ie.u32, null), le.mat2x3u = new le("mat2x3", ie.u32, null), le.mat2x4u = new le("mat2x4", ie.u32, null), le.mat3x2u = new le("mat3x2", ie.u32, null), le.mat3x3u = new le("mat3x3", ie.u32, null), le.mat3x4u = new le("mat3x4", ie.u32, null), le.mat4x2u = new le("mat4x2", ie.u32, null), le.mat4x3u = new le("mat4x3", ie.u32, null), le.mat4x4u = new le("mat4x4", ie.u32, null);
var ue = class extends ie {
  constructor(e3, t2, n2, s2) {
    super(e3), this.storage = t2, this.type = n2, this.access = s2;
  }
  get astNodeType() {
    return "pointer";
  }
};
var ce = class extends ie {
  constructor(e3, t2, n2, s2) {
    super(e3), this.attributes = t2, this.format = n2, this.count = s2;
  }
  get astNodeType() {
    return "array";
  }
  get isArray() {
    return true;
  }
};
var he = class extends ie {
  constructor(e3, t2, n2) {
    super(e3), this.format = t2, this.access = n2;
  }
  get astNodeType() {
    return "sampler";
  }
};
var fe = class extends A {
  constructor() {
    super(), this.postfix = null, this.hasParen = false;
  }
};
var pe = class extends fe {
  constructor(e3) {
    super(), this.value = e3;
  }
  get astNodeType() {
    return "stringExpr";
  }
  toString() {
    return this.value;
  }
  constEvaluateString() {
    return this.value;
  }
};
var de = class extends fe {
  constructor(e3, t2) {
    super(), this.type = e3, this.args = t2;
  }
  get astNodeType() {
    return "createExpr";
  }
  search(e3) {
    if (e3(this), this.args) for (const t2 of this.args) t2.search(e3);
  }
  constEvaluate(e3, t2) {
    return t2 && (t2[0] = this.type), e3.evalExpression(this, e3.context);
  }
};
var me = class _me extends fe {
  constructor(e3, t2) {
    super(), this.cachedReturnValue = null, this.name = e3, this.args = t2;
  }
  get astNodeType() {
    return "callExpr";
  }
  setCachedReturnValue(e3) {
    this.cachedReturnValue = e3;
  }
  get isBuiltin() {
    return E.has(this.name);
  }
  constEvaluate(e3, t2) {
    const n2 = e3.evalExpression(this, e3.context);
    return void 0 !== t2 && this._resolveReturnType(e3, t2), n2;
  }
  _resolveReturnType(e3, t2) {
    const n2 = e3.context.getFunction(this.name);
    if (null !== n2) return void (null !== n2.node.returnType && (t2[0] = n2.node.returnType));
    const s2 = _me._builtinFixedReturnType.get(this.name);
    if (void 0 !== s2) return void (t2[0] = s2);
    const r2 = _me._builtinSameAsArg.get(this.name);
    if (void 0 !== r2 && this.args && this.args[r2]) return void this.args[r2].constEvaluate(e3, t2);
    const i2 = _me._builtinComponentOfArg.get(this.name);
    if (void 0 !== i2 && this.args && this.args[i2]) {
      const n3 = [ie.f32];
      return this.args[i2].constEvaluate(e3, n3), void (n3[0] instanceof le && null !== n3[0].format ? t2[0] = n3[0].format : t2[0] = n3[0]);
    }
  }
  search(e3) {
    for (const t2 of this.args) t2.search(e3);
    e3(this);
  }
};
me._builtinFixedReturnType = /* @__PURE__ */ new Map([["all", ie.bool], ["any", ie.bool], ["arrayLength", ie.u32], ["dot4U8Packed", ie.u32], ["dot4I8Packed", ie.i32], ["pack4x8snorm", ie.u32], ["pack4x8unorm", ie.u32], ["pack4xI8", ie.u32], ["pack4xU8", ie.u32], ["pack4x8Clamp", ie.u32], ["pack4xU8Clamp", ie.u32], ["pack2x16snorm", ie.u32], ["pack2x16unorm", ie.u32], ["pack2x16float", ie.u32], ["unpack4x8snorm", le.vec4f], ["unpack4x8unorm", le.vec4f], ["unpack4xI8", le.vec4i], ["unpack4xU8", le.vec4u], ["unpack2x16snorm", le.vec2f], ["unpack2x16unorm", le.vec2f], ["unpack2x16float", le.vec2f], ["storageBarrier", ie.void], ["textureBarrier", ie.void], ["workgroupBarrier", ie.void], ["atomicStore", ie.void]]), me._builtinSameAsArg = /* @__PURE__ */ new Map([["abs", 0], ["acos", 0], ["acosh", 0], ["asin", 0], ["asinh", 0], ["atan", 0], ["atanh", 0], ["atan2", 0], ["ceil", 0], ["clamp", 0], ["cos", 0], ["cosh", 0], ["countLeadingZeros", 0], ["countOneBits", 0], ["countTrailingZeros", 0], ["cross", 0], ["degrees", 0], ["exp", 0], ["exp2", 0], ["extractBits", 0], ["faceForward", 0], ["firstLeadingBit", 0], ["firstTrailingBit", 0], ["floor", 0], ["fma", 0], ["fract", 0], ["insertBits", 0], ["inverseSqrt", 0], ["ldexp", 0], ["log", 0], ["log2", 0], ["max", 0], ["min", 0], ["mix", 0], ["normalize", 0], ["pow", 0], ["quantizeToF16", 0], ["radians", 0], ["reflect", 0], ["refract", 0], ["reverseBits", 0], ["round", 0], ["saturate", 0], ["sign", 0], ["sin", 0], ["sinh", 0], ["smoothstep", 2], ["sqrt", 0], ["step", 1], ["tan", 0], ["tanh", 0], ["trunc", 0], ["dpdx", 0], ["dpdxCoarse", 0], ["dpdxFine", 0], ["dpdy", 0], ["dpdyCoarse", 0], ["dpdyFine", 0], ["fwidth", 0], ["fwidthCoarse", 0], ["fwidthFine", 0], ["select", 0], ["workgroupUniformLoad", 0], ["atomicLoad", 0], ["atomicAdd", 1], ["atomicSub", 1], ["atomicMax", 1], ["atomicMin", 1], ["atomicAnd", 1], ["atomicOr", 1], ["atomicXor", 1], ["atomicExchange", 1], ["subgroupAdd", 0], ["subgroupExclusiveAdd", 0], ["subgroupInclusiveAdd", 0], ["subgroupAnd", 0], ["subgroupBroadcast", 0], ["subgroupBroadcastFirst", 0], ["subgroupMax", 0], ["subgroupMin", 0], ["subgroupMul", 0], ["subgroupExclusiveMul", 0], ["subgroupInclusiveMul", 0], ["subgroupOr", 0], ["subgroupShuffle", 0], ["subgroupShuffleDown", 0], ["subgroupShuffleUp", 0], ["subgroupShuffleXor", 0], ["subgroupXor", 0], ["quadBroadcast", 0], ["quadSwapDiagonal", 0], ["quadSwapX", 0], ["quadSwapY", 0]]), me._builtinComponentOfArg = /* @__PURE__ */ new Map([["length", 0], ["distance", 0], ["dot", 0], ["determinant", 0]]);
var _e = class extends fe {
  constructor(e3) {
    super(), this.name = e3;
  }
  get astNodeType() {
    return "varExpr";
  }
  search(e3) {
    e3(this), this.postfix && this.postfix.search(e3);
  }
  constEvaluate(e3, t2) {
    const n2 = e3.evalExpression(this, e3.context);
    if (void 0 !== t2 && null === this.postfix) {
      const n3 = e3.context.getVariable(this.name);
      null !== n3 && null !== n3.node && null !== n3.node.type && (t2[0] = n3.node.type);
    }
    return n2;
  }
};
var ge = class extends fe {
  constructor(e3, t2) {
    super(), this.name = e3, this.initializer = t2;
  }
  get astNodeType() {
    return "constExpr";
  }
  constEvaluate(e3, t2) {
    const n2 = e3.evalExpression(this.initializer, e3.context);
    return void 0 !== t2 && this.initializer.constEvaluate(e3, t2), null !== n2 && this.postfix ? n2.getSubData(e3, this.postfix, e3.context) : n2;
  }
  search(e3) {
    this.initializer.search(e3);
  }
};
var xe = class extends fe {
  constructor(e3, t2) {
    super(), this.value = e3, this.type = t2;
  }
  get astNodeType() {
    return "literalExpr";
  }
  constEvaluate(e3, t2) {
    return void 0 !== t2 && (t2[0] = this.type), this.value;
  }
  get isScalar() {
    return this.value instanceof Fe;
  }
  get isVector() {
    return this.value instanceof ze || this.value instanceof Pe;
  }
  get scalarValue() {
    return this.value instanceof Fe ? this.value.value : (console.error("Value is not scalar."), 0);
  }
  get vectorValue() {
    return this.value instanceof ze || this.value instanceof Pe ? this.value.data : (console.error("Value is not a vector or matrix."), new Float32Array(0));
  }
};
var ye = class extends fe {
  constructor(e3, t2) {
    super(), this.type = e3, this.value = t2;
  }
  get astNodeType() {
    return "bitcastExpr";
  }
  search(e3) {
    this.value.search(e3);
  }
};
var be = class extends fe {
  constructor(t2) {
    super(), "number" == typeof t2 && (t2 = new xe(new Fe(new Uint32Array([t2]), new e("u32", null)), ie.u32)), this.index = t2;
  }
  search(e3) {
    this.index.search(e3);
  }
};
var we = class extends fe {
  constructor() {
    super();
  }
};
var ke = class extends we {
  constructor(e3, t2) {
    super(), this.operator = e3, this.right = t2;
  }
  get astNodeType() {
    return "unaryOp";
  }
  constEvaluate(e3, t2) {
    const n2 = e3.evalExpression(this, e3.context);
    return void 0 !== t2 && ("!" === this.operator ? t2[0] = ie.bool : this.right.constEvaluate(e3, t2)), n2;
  }
  search(e3) {
    this.right.search(e3);
  }
};
var Ie = class extends we {
  constructor(e3, t2, n2) {
    super(), this.operator = e3, this.left = t2, this.right = n2;
  }
  get astNodeType() {
    return "binaryOp";
  }
  _getPromotedType(e3, t2) {
    return e3.name === t2.name ? e3 : "f32" === e3.name || "f32" === t2.name ? ie.f32 : "u32" === e3.name || "u32" === t2.name ? ie.u32 : ie.i32;
  }
  constEvaluate(e3, t2) {
    const n2 = e3.evalExpression(this, e3.context);
    if (void 0 !== t2) switch (this.operator) {
      case "==":
      case "!=":
      case "<":
      case ">":
      case "<=":
      case ">=":
      case "&&":
      case "||":
        t2[0] = ie.bool;
        break;
      default: {
        const n3 = [ie.f32], s2 = [ie.f32];
        this.left.constEvaluate(e3, n3), this.right.constEvaluate(e3, s2), t2[0] = this._getPromotedType(n3[0], s2[0]);
        break;
      }
    }
    return n2;
  }
  search(e3) {
    this.left.search(e3), this.right.search(e3);
  }
};
var Te = class extends A {
  constructor(e3) {
    super(), this.body = e3;
  }
  search(e3) {
    e3(this), this.searchBlock(this.body, e3);
  }
};
var Se = class extends fe {
  get astNodeType() {
    return "default";
  }
};
var Ae = class extends Te {
  constructor(e3, t2) {
    super(t2), this.selectors = e3;
  }
  get astNodeType() {
    return "case";
  }
  search(e3) {
    this.searchBlock(this.body, e3);
  }
};
var $e = class extends Te {
  constructor(e3) {
    super(e3);
  }
  get astNodeType() {
    return "default";
  }
  search(e3) {
    this.searchBlock(this.body, e3);
  }
};
var Ce = class extends A {
  constructor(e3, t2, n2) {
    super(), this.name = e3, this.type = t2, this.attributes = n2;
  }
  get astNodeType() {
    return "argument";
  }
};
var Ee = class extends A {
  constructor(e3, t2) {
    super(), this.condition = e3, this.body = t2;
  }
  get astNodeType() {
    return "elseif";
  }
  search(e3) {
    this.condition.search(e3), this.searchBlock(this.body, e3);
  }
};
var Le = class extends A {
  constructor(e3, t2, n2) {
    super(), this.name = e3, this.type = t2, this.attributes = n2;
  }
  get astNodeType() {
    return "member";
  }
};
var Ne = class extends A {
  constructor(e3, t2) {
    super(), this.name = e3, this.value = t2;
  }
  get astNodeType() {
    return "attribute";
  }
};
var Ve = class _Ve {
  constructor(e3, t2) {
    this.parent = null, this.typeInfo = e3, this.parent = t2, this.id = _Ve._id++;
  }
  setDataValue(e3, t2, n2, s2) {
    console.error(`SetDataValue: Not implemented for ${this.constructor.name}`);
  }
  getSubData(e3, t2, n2) {
    return console.error(`GetDataValue: Not implemented for ${this.constructor.name}`), null;
  }
  toString() {
    return `<${this.typeInfo.getTypeName()}>`;
  }
};
Ve._id = 0;
var De = class extends Ve {
  constructor(e3, t2) {
    super(e3, t2);
  }
  clone() {
    return this;
  }
  toString() {
    return this.typeInfo.name;
  }
};
var Be = class extends Ve {
  constructor() {
    super(new e("void", null), null);
  }
  clone() {
    return this;
  }
  toString() {
    return "void";
  }
};
Be.void = new Be();
var Me = class extends Ve {
  constructor(e3) {
    super(new r("pointer", e3.typeInfo, null), null), this.reference = e3;
  }
  clone() {
    return this;
  }
  setDataValue(e3, t2, n2, s2) {
    this.reference.setDataValue(e3, t2, n2, s2);
  }
  getSubData(e3, t2, n2) {
    return t2 ? this.reference.getSubData(e3, t2, n2) : this;
  }
  toString() {
    return `&${this.reference.toString()}`;
  }
};
var Fe = class _Fe extends Ve {
  constructor(e3, t2, n2 = null) {
    super(t2, n2), e3 instanceof Int32Array || e3 instanceof Uint32Array || e3 instanceof Float32Array ? this.data = e3 : "x32" === this.typeInfo.name ? e3 - Math.floor(e3) !== 0 ? this.data = new Float32Array([e3]) : this.data = e3 >= 0 ? new Uint32Array([e3]) : new Int32Array([e3]) : "i32" === this.typeInfo.name || "bool" === this.typeInfo.name ? this.data = new Int32Array([e3]) : "u32" === this.typeInfo.name ? this.data = new Uint32Array([e3]) : "f32" === this.typeInfo.name || "f16" === this.typeInfo.name ? this.data = new Float32Array([e3]) : console.error("ScalarData2: Invalid type", t2);
  }
  clone() {
    if (this.data instanceof Float32Array) return new _Fe(new Float32Array(this.data), this.typeInfo, null);
    if (this.data instanceof Int32Array) return new _Fe(new Int32Array(this.data), this.typeInfo, null);
    if (this.data instanceof Uint32Array) return new _Fe(new Uint32Array(this.data), this.typeInfo, null);
    throw new Error("ScalarData: Invalid data type");
  }
  get value() {
    return this.data[0];
  }
  set value(e3) {
    this.data[0] = e3;
  }
  setDataValue(e3, t2, n2, s2) {
    if (n2) return void console.error("SetDataValue: Scalar data does not support postfix", n2);
    if (!(t2 instanceof _Fe)) return void console.error("SetDataValue: Invalid value", t2);
    let r2 = t2.data[0];
    "i32" === this.typeInfo.name || "u32" === this.typeInfo.name ? r2 = Math.floor(r2) : "bool" === this.typeInfo.name && (r2 = r2 ? 1 : 0), this.data[0] = r2;
  }
  getSubData(e3, t2, n2) {
    return t2 ? (console.error("getSubData: Scalar data does not support postfix", t2), null) : this;
  }
  toString() {
    return `${this.value}`;
  }
};
function Ue(e3, t2, n2) {
  const s2 = t2.length;
  return 2 === s2 ? "f32" === n2 ? new ze(new Float32Array(t2), e3.getTypeInfo("vec2f")) : "i32" === n2 || "bool" === n2 ? new ze(new Int32Array(t2), e3.getTypeInfo("vec2i")) : "u32" === n2 ? new ze(new Uint32Array(t2), e3.getTypeInfo("vec2u")) : "f16" === n2 ? new ze(new Float32Array(t2), e3.getTypeInfo("vec2h")) : (console.error(`getSubData: Unknown format ${n2}`), null) : 3 === s2 ? "f32" === n2 ? new ze(new Float32Array(t2), e3.getTypeInfo("vec3f")) : "i32" === n2 || "bool" === n2 ? new ze(new Int32Array(t2), e3.getTypeInfo("vec3i")) : "u32" === n2 ? new ze(new Uint32Array(t2), e3.getTypeInfo("vec3u")) : "f16" === n2 ? new ze(new Float32Array(t2), e3.getTypeInfo("vec3h")) : (console.error(`getSubData: Unknown format ${n2}`), null) : 4 === s2 ? "f32" === n2 ? new ze(new Float32Array(t2), e3.getTypeInfo("vec4f")) : "i32" === n2 || "bool" === n2 ? new ze(new Int32Array(t2), e3.getTypeInfo("vec4i")) : "u32" === n2 ? new ze(new Uint32Array(t2), e3.getTypeInfo("vec4u")) : "f16" === n2 ? new ze(new Float32Array(t2), e3.getTypeInfo("vec4h")) : (console.error(`getSubData: Unknown format ${n2}`), null) : (console.error(`getSubData: Invalid vector size ${t2.length}`), null);
}
var ze = class _ze extends Ve {
  constructor(e3, t2, n2 = null) {
    if (super(t2, n2), e3 instanceof Float32Array || e3 instanceof Uint32Array || e3 instanceof Int32Array) this.data = e3;
    else {
      const t3 = this.typeInfo.name;
      "vec2f" === t3 || "vec3f" === t3 || "vec4f" === t3 ? this.data = new Float32Array(e3) : "vec2i" === t3 || "vec3i" === t3 || "vec4i" === t3 ? this.data = new Int32Array(e3) : "vec2u" === t3 || "vec3u" === t3 || "vec4u" === t3 ? this.data = new Uint32Array(e3) : "vec2h" === t3 || "vec3h" === t3 || "vec4h" === t3 ? this.data = new Float32Array(e3) : "vec2b" === t3 || "vec3b" === t3 || "vec4b" === t3 ? this.data = new Int32Array(e3) : "vec2" === t3 || "vec3" === t3 || "vec4" === t3 ? this.data = new Float32Array(e3) : console.error(`VectorData: Invalid type ${t3}`);
    }
  }
  clone() {
    if (this.data instanceof Float32Array) return new _ze(new Float32Array(this.data), this.typeInfo, null);
    if (this.data instanceof Int32Array) return new _ze(new Int32Array(this.data), this.typeInfo, null);
    if (this.data instanceof Uint32Array) return new _ze(new Uint32Array(this.data), this.typeInfo, null);
    throw new Error("VectorData: Invalid data type");
  }
  setDataValue(e3, t2, n2, s2) {
    n2 instanceof pe ? console.error("TODO: Set vector postfix") : t2 instanceof _ze ? this.data = t2.data : console.error("SetDataValue: Invalid value", t2);
  }
  getSubData(e3, t2, n2) {
    if (null === t2) return this;
    let s2 = e3.getTypeInfo("f32");
    if (this.typeInfo instanceof i) s2 = this.typeInfo.format || s2;
    else {
      const t3 = this.typeInfo.name;
      "vec2f" === t3 || "vec3f" === t3 || "vec4f" === t3 ? s2 = e3.getTypeInfo("f32") : "vec2i" === t3 || "vec3i" === t3 || "vec4i" === t3 ? s2 = e3.getTypeInfo("i32") : "vec2b" === t3 || "vec3b" === t3 || "vec4b" === t3 ? s2 = e3.getTypeInfo("bool") : "vec2u" === t3 || "vec3u" === t3 || "vec4u" === t3 ? s2 = e3.getTypeInfo("u32") : "vec2h" === t3 || "vec3h" === t3 || "vec4h" === t3 ? s2 = e3.getTypeInfo("f16") : console.error(`GetSubData: Unknown type ${t3}`);
    }
    let r2 = this;
    for (; null !== t2 && null !== r2; ) {
      if (t2 instanceof be) {
        const i2 = t2.index;
        let a2 = -1;
        if (i2 instanceof xe) {
          if (!(i2.value instanceof Fe)) return console.error(`GetSubData: Invalid array index ${i2.value}`), null;
          a2 = i2.value.value;
        } else {
          const t3 = e3.evalExpression(i2, n2);
          if (!(t3 instanceof Fe)) return console.error("GetSubData: Unknown index type", i2), null;
          a2 = t3.value;
        }
        if (a2 < 0 || a2 >= r2.data.length) return console.error("GetSubData: Index out of range", a2), null;
        if (r2.data instanceof Float32Array) {
          const e4 = new Float32Array(r2.data.buffer, r2.data.byteOffset + 4 * a2, 1);
          return new Fe(e4, s2);
        }
        if (r2.data instanceof Int32Array) {
          const e4 = new Int32Array(r2.data.buffer, r2.data.byteOffset + 4 * a2, 1);
          return new Fe(e4, s2);
        }
        if (r2.data instanceof Uint32Array) {
          const e4 = new Uint32Array(r2.data.buffer, r2.data.byteOffset + 4 * a2, 1);
          return new Fe(e4, s2);
        }
        throw new Error("GetSubData: Invalid data type");
      }
      if (!(t2 instanceof pe)) return console.error("GetSubData: Unknown postfix", t2), null;
      {
        const n3 = t2.value.toLowerCase();
        if (1 === n3.length) {
          let e4 = 0;
          if ("x" === n3 || "r" === n3) e4 = 0;
          else if ("y" === n3 || "g" === n3) e4 = 1;
          else if ("z" === n3 || "b" === n3) e4 = 2;
          else {
            if ("w" !== n3 && "a" !== n3) return console.error(`GetSubData: Unknown member ${n3}`), null;
            e4 = 3;
          }
          if (this.data instanceof Float32Array) {
            let t3 = new Float32Array(this.data.buffer, this.data.byteOffset + 4 * e4, 1);
            return new Fe(t3, s2, this);
          }
          if (this.data instanceof Int32Array) {
            let t3 = new Int32Array(this.data.buffer, this.data.byteOffset + 4 * e4, 1);
            return new Fe(t3, s2, this);
          }
          if (this.data instanceof Uint32Array) {
            let t3 = new Uint32Array(this.data.buffer, this.data.byteOffset + 4 * e4, 1);
            return new Fe(t3, s2, this);
          }
        }
        const i2 = [];
        for (const e4 of n3) "x" === e4 || "r" === e4 ? i2.push(this.data[0]) : "y" === e4 || "g" === e4 ? i2.push(this.data[1]) : "z" === e4 || "b" === e4 ? i2.push(this.data[2]) : "w" === e4 || "a" === e4 ? i2.push(this.data[3]) : console.error(`GetDataValue: Unknown member ${e4}`);
        r2 = Ue(e3, i2, s2.name);
      }
      t2 = t2.postfix;
    }
    return r2;
  }
  toString() {
    let e3 = `${this.data[0]}`;
    for (let t2 = 1; t2 < this.data.length; ++t2) e3 += `, ${this.data[t2]}`;
    return e3;
  }
};
var Pe = class _Pe extends Ve {
  constructor(e3, t2, n2 = null) {
    super(t2, n2), e3 instanceof Float32Array ? this.data = e3 : this.data = new Float32Array(e3);
  }
  clone() {
    return new _Pe(new Float32Array(this.data), this.typeInfo, null);
  }
  setDataValue(e3, t2, n2, s2) {
    n2 instanceof pe ? console.error("TODO: Set matrix postfix") : t2 instanceof _Pe ? this.data = t2.data : console.error("SetDataValue: Invalid value", t2);
  }
  getSubData(e3, t2, n2) {
    if (null === t2) return this;
    const s2 = this.typeInfo.name;
    if (e3.getTypeInfo("f32"), this.typeInfo instanceof i) this.typeInfo.format;
    else if (s2.endsWith("f")) e3.getTypeInfo("f32");
    else if (s2.endsWith("i")) e3.getTypeInfo("i32");
    else if (s2.endsWith("u")) e3.getTypeInfo("u32");
    else {
      if (!s2.endsWith("h")) return console.error(`GetDataValue: Unknown type ${s2}`), null;
      e3.getTypeInfo("f16");
    }
    if (t2 instanceof be) {
      const r2 = t2.index;
      let i2 = -1;
      if (r2 instanceof xe) {
        if (!(r2.value instanceof Fe)) return console.error(`GetDataValue: Invalid array index ${r2.value}`), null;
        i2 = r2.value.value;
      } else {
        const t3 = e3.evalExpression(r2, n2);
        if (!(t3 instanceof Fe)) return console.error("GetDataValue: Unknown index type", r2), null;
        i2 = t3.value;
      }
      if (i2 < 0 || i2 >= this.data.length) return console.error("GetDataValue: Index out of range", i2), null;
      const a2 = s2.endsWith("h") ? "h" : "f";
      let o2;
      if ("mat2x2" === s2 || "mat2x2f" === s2 || "mat2x2h" === s2 || "mat3x2" === s2 || "mat3x2f" === s2 || "mat3x2h" === s2 || "mat4x2" === s2 || "mat4x2f" === s2 || "mat4x2h" === s2) o2 = new ze(new Float32Array(this.data.buffer, this.data.byteOffset + 2 * i2 * 4, 2), e3.getTypeInfo(`vec2${a2}`));
      else if ("mat2x3" === s2 || "mat2x3f" === s2 || "mat2x3h" === s2 || "mat3x3" === s2 || "mat3x3f" === s2 || "mat3x3h" === s2 || "mat4x3" === s2 || "mat4x3f" === s2 || "mat4x3h" === s2) o2 = new ze(new Float32Array(this.data.buffer, this.data.byteOffset + 3 * i2 * 4, 3), e3.getTypeInfo(`vec3${a2}`));
      else {
        if ("mat2x4" !== s2 && "mat2x4f" !== s2 && "mat2x4h" !== s2 && "mat3x4" !== s2 && "mat3x4f" !== s2 && "mat3x4h" !== s2 && "mat4x4" !== s2 && "mat4x4f" !== s2 && "mat4x4h" !== s2) return console.error(`GetDataValue: Unknown type ${s2}`), null;
        o2 = new ze(new Float32Array(this.data.buffer, this.data.byteOffset + 4 * i2 * 4, 4), e3.getTypeInfo(`vec4${a2}`));
      }
      return t2.postfix ? o2.getSubData(e3, t2.postfix, n2) : o2;
    }
    return console.error("GetDataValue: Invalid postfix", t2), null;
  }
  toString() {
    let e3 = `${this.data[0]}`;
    for (let t2 = 1; t2 < this.data.length; ++t2) e3 += `, ${this.data[t2]}`;
    return e3;
  }
};
var We = class _We extends Ve {
  constructor(e3, t2, n2 = 0, s2 = null) {
    super(t2, s2), this.buffer = e3 instanceof ArrayBuffer ? e3 : e3.buffer, this.offset = n2;
  }
  clone() {
    const e3 = new Uint8Array(new Uint8Array(this.buffer, this.offset, this.typeInfo.size));
    return new _We(e3.buffer, this.typeInfo, 0, null);
  }
  setDataValue(t2, r2, i2, a2) {
    if (null === r2) return void console.log("setDataValue: NULL data.");
    let o2 = this.offset, l2 = this.typeInfo;
    for (; i2; ) {
      if (i2 instanceof be) if (l2 instanceof s) {
        const e3 = i2.index;
        if (e3 instanceof xe) {
          if (!(e3.value instanceof Fe)) return void console.error(`SetDataValue: Invalid index type ${e3.value}`);
          o2 += e3.value.value * l2.stride;
        } else {
          const n2 = t2.evalExpression(e3, a2);
          if (!(n2 instanceof Fe)) return void console.error("SetDataValue: Unknown index type", e3);
          o2 += n2.value * l2.stride;
        }
        l2 = l2.format;
      } else console.error(`SetDataValue: Type ${l2.getTypeName()} is not an array`);
      else {
        if (!(i2 instanceof pe)) return void console.error("SetDataValue: Unknown postfix type", i2);
        {
          const t3 = i2.value;
          if (l2 instanceof n) {
            let e3 = false;
            for (const n2 of l2.members) if (n2.name === t3) {
              o2 += n2.offset, l2 = n2.type, e3 = true;
              break;
            }
            if (!e3) return void console.error(`SetDataValue: Member ${t3} not found`);
          } else if (l2 instanceof e) {
            const e3 = l2.getTypeName();
            let n2 = 0;
            if ("x" === t3 || "r" === t3) n2 = 0;
            else if ("y" === t3 || "g" === t3) n2 = 1;
            else if ("z" === t3 || "b" === t3) n2 = 2;
            else {
              if ("w" !== t3 && "a" !== t3) return void console.error(`SetDataValue: Unknown member ${t3}`);
              n2 = 3;
            }
            if (!(r2 instanceof Fe)) return void console.error("SetDataValue: Invalid value", r2);
            const s2 = r2.value;
            return "vec2f" === e3 ? void (new Float32Array(this.buffer, o2, 2)[n2] = s2) : "vec3f" === e3 ? void (new Float32Array(this.buffer, o2, 3)[n2] = s2) : "vec4f" === e3 ? void (new Float32Array(this.buffer, o2, 4)[n2] = s2) : "vec2i" === e3 ? void (new Int32Array(this.buffer, o2, 2)[n2] = s2) : "vec3i" === e3 ? void (new Int32Array(this.buffer, o2, 3)[n2] = s2) : "vec4i" === e3 ? void (new Int32Array(this.buffer, o2, 4)[n2] = s2) : "vec2u" === e3 ? void (new Uint32Array(this.buffer, o2, 2)[n2] = s2) : "vec3u" === e3 ? void (new Uint32Array(this.buffer, o2, 3)[n2] = s2) : "vec4u" === e3 ? void (new Uint32Array(this.buffer, o2, 4)[n2] = s2) : void console.error(`SetDataValue: Type ${e3} is not a struct`);
          }
        }
      }
      i2 = i2.postfix;
    }
    this.setData(t2, r2, l2, o2, a2);
  }
  setData(e3, t2, n2, s2, r2) {
    const i2 = n2.getTypeName();
    if ("f32" !== i2 && "f16" !== i2) if ("i32" !== i2 && "atomic<i32>" !== i2 && "x32" !== i2) if ("u32" !== i2 && "atomic<u32>" !== i2) if ("bool" !== i2) {
      if ("vec2f" === i2 || "vec2h" === i2) {
        const e4 = new Float32Array(this.buffer, s2, 2);
        return void (t2 instanceof ze ? (e4[0] = t2.data[0], e4[1] = t2.data[1]) : (e4[0] = t2[0], e4[1] = t2[1]));
      }
      if ("vec3f" === i2 || "vec3h" === i2) {
        const e4 = new Float32Array(this.buffer, s2, 3);
        return void (t2 instanceof ze ? (e4[0] = t2.data[0], e4[1] = t2.data[1], e4[2] = t2.data[2]) : (e4[0] = t2[0], e4[1] = t2[1], e4[2] = t2[2]));
      }
      if ("vec4f" === i2 || "vec4h" === i2) {
        const e4 = new Float32Array(this.buffer, s2, 4);
        return void (t2 instanceof ze ? (e4[0] = t2.data[0], e4[1] = t2.data[1], e4[2] = t2.data[2], e4[3] = t2.data[3]) : (e4[0] = t2[0], e4[1] = t2[1], e4[2] = t2[2], e4[3] = t2[3]));
      }
      if ("vec2i" === i2) {
        const e4 = new Int32Array(this.buffer, s2, 2);
        return void (t2 instanceof ze ? (e4[0] = t2.data[0], e4[1] = t2.data[1]) : (e4[0] = t2[0], e4[1] = t2[1]));
      }
      if ("vec3i" === i2) {
        const e4 = new Int32Array(this.buffer, s2, 3);
        return void (t2 instanceof ze ? (e4[0] = t2.data[0], e4[1] = t2.data[1], e4[2] = t2.data[2]) : (e4[0] = t2[0], e4[1] = t2[1], e4[2] = t2[2]));
      }
      if ("vec4i" === i2) {
        const e4 = new Int32Array(this.buffer, s2, 4);
        return void (t2 instanceof ze ? (e4[0] = t2.data[0], e4[1] = t2.data[1], e4[2] = t2.data[2], e4[3] = t2.data[3]) : (e4[0] = t2[0], e4[1] = t2[1], e4[2] = t2[2], e4[3] = t2[3]));
      }
      if ("vec2u" === i2) {
        const e4 = new Uint32Array(this.buffer, s2, 2);
        return void (t2 instanceof ze ? (e4[0] = t2.data[0], e4[1] = t2.data[1]) : (e4[0] = t2[0], e4[1] = t2[1]));
      }
      if ("vec3u" === i2) {
        const e4 = new Uint32Array(this.buffer, s2, 3);
        return void (t2 instanceof ze ? (e4[0] = t2.data[0], e4[1] = t2.data[1], e4[2] = t2.data[2]) : (e4[0] = t2[0], e4[1] = t2[1], e4[2] = t2[2]));
      }
      if ("vec4u" === i2) {
        const e4 = new Uint32Array(this.buffer, s2, 4);
        return void (t2 instanceof ze ? (e4[0] = t2.data[0], e4[1] = t2.data[1], e4[2] = t2.data[2], e4[3] = t2.data[3]) : (e4[0] = t2[0], e4[1] = t2[1], e4[2] = t2[2], e4[3] = t2[3]));
      }
      if ("vec2b" === i2) {
        const e4 = new Uint32Array(this.buffer, s2, 2);
        return void (t2 instanceof ze ? (e4[0] = t2.data[0], e4[1] = t2.data[1]) : (e4[0] = t2[0], e4[1] = t2[1]));
      }
      if ("vec3b" === i2) {
        const e4 = new Uint32Array(this.buffer, s2, 3);
        return void (t2 instanceof ze ? (e4[0] = t2.data[0], e4[1] = t2.data[1], e4[2] = t2.data[2]) : (e4[0] = t2[0], e4[1] = t2[1], e4[2] = t2[2]));
      }
      if ("vec4b" === i2) {
        const e4 = new Uint32Array(this.buffer, s2, 4);
        return void (t2 instanceof ze ? (e4[0] = t2.data[0], e4[1] = t2.data[1], e4[2] = t2.data[2], e4[3] = t2.data[3]) : (e4[0] = t2[0], e4[1] = t2[1], e4[2] = t2[2], e4[3] = t2[3]));
      }
      if ("mat2x2f" !== i2 && "mat2x2h" !== i2) if ("mat2x3f" !== i2 && "mat2x3h" !== i2) if ("mat2x4f" !== i2 && "mat2x4h" !== i2) if ("mat3x2f" !== i2 && "mat3x2h" !== i2) if ("mat3x3f" !== i2 && "mat3x3h" !== i2) if ("mat3x4f" !== i2 && "mat3x4h" !== i2) if ("mat4x2f" !== i2 && "mat4x2h" !== i2) if ("mat4x3f" !== i2 && "mat4x3h" !== i2) if ("mat4x4f" !== i2 && "mat4x4h" !== i2) if (t2 instanceof _We) {
        if (n2 === t2.typeInfo) {
          return void new Uint8Array(this.buffer, s2, t2.buffer.byteLength).set(new Uint8Array(t2.buffer));
        }
        console.error("SetDataValue: Type mismatch", i2, t2.typeInfo.getTypeName());
      } else console.error(`SetData: Unknown type ${i2}`);
      else this._writeMatrix(s2, 4, 4, t2);
      else this._writeMatrix(s2, 4, 3, t2);
      else this._writeMatrix(s2, 4, 2, t2);
      else this._writeMatrix(s2, 3, 4, t2);
      else this._writeMatrix(s2, 3, 3, t2);
      else this._writeMatrix(s2, 3, 2, t2);
      else this._writeMatrix(s2, 2, 4, t2);
      else this._writeMatrix(s2, 2, 3, t2);
      else this._writeMatrix(s2, 2, 2, t2);
    } else t2 instanceof Fe && (new Int32Array(this.buffer, s2, 1)[0] = t2.value);
    else t2 instanceof Fe && (new Uint32Array(this.buffer, s2, 1)[0] = t2.value);
    else t2 instanceof Fe && (new Int32Array(this.buffer, s2, 1)[0] = t2.value);
    else t2 instanceof Fe && (new Float32Array(this.buffer, s2, 1)[0] = t2.value);
  }
  getSubData(t2, r2, a2) {
    var o2, l2, u2;
    if (null === r2) return this;
    let c2 = this.offset, h2 = this.typeInfo;
    for (; r2; ) {
      if (r2 instanceof be) {
        const e3 = r2.index, n2 = e3 instanceof fe ? t2.evalExpression(e3, a2) : e3;
        let i2 = 0;
        if (n2 instanceof Fe ? i2 = n2.value : "number" == typeof n2 ? i2 = n2 : console.error("GetDataValue: Invalid index type", e3), h2 instanceof s) c2 += i2 * h2.stride, h2 = h2.format;
        else {
          const e4 = h2.getTypeName(), n3 = (e5, n4) => {
            c2 += i2 * _We._matrixColumnStride(e5), h2 = t2.getTypeInfo(n4);
          };
          "mat4x4" === e4 || "mat4x4f" === e4 || "mat4x4h" === e4 ? n3(4, "vec4f") : "mat4x3" === e4 || "mat4x3f" === e4 || "mat4x3h" === e4 ? n3(3, "vec3f") : "mat4x2" === e4 || "mat4x2f" === e4 || "mat4x2h" === e4 ? n3(2, "vec2f") : "mat3x4" === e4 || "mat3x4f" === e4 || "mat3x4h" === e4 ? n3(4, "vec4f") : "mat3x3" === e4 || "mat3x3f" === e4 || "mat3x3h" === e4 ? n3(3, "vec3f") : "mat3x2" === e4 || "mat3x2f" === e4 || "mat3x2h" === e4 ? n3(2, "vec2f") : "mat2x4" === e4 || "mat2x4f" === e4 || "mat2x4h" === e4 ? n3(4, "vec4f") : "mat2x3" === e4 || "mat2x3f" === e4 || "mat2x3h" === e4 ? n3(3, "vec3f") : "mat2x2" === e4 || "mat2x2f" === e4 || "mat2x2h" === e4 ? n3(2, "vec2f") : "vec2f" === e4 || "vec3f" === e4 || "vec4f" === e4 ? (c2 += 4 * i2, h2 = t2.getTypeInfo("f32")) : "vec2h" === e4 || "vec3h" === e4 || "vec4h" === e4 ? (c2 += 2 * i2, h2 = t2.getTypeInfo("f16")) : "vec2b" === e4 || "vec3b" === e4 || "vec4b" === e4 ? (c2 += 1 * i2, h2 = t2.getTypeInfo("bool")) : "vec2i" === e4 || "vec3i" === e4 || "vec4i" === e4 ? (c2 += 4 * i2, h2 = t2.getTypeInfo("i32")) : "vec2u" === e4 || "vec3u" === e4 || "vec4u" === e4 ? (c2 += 4 * i2, h2 = t2.getTypeInfo("u32")) : console.error(`getDataValue: Type ${h2.getTypeName()} is not an array`);
        }
      } else {
        if (!(r2 instanceof pe)) return console.error("GetDataValue: Unknown postfix type", r2), null;
        {
          const s2 = r2.value;
          if (h2 instanceof n) {
            let e3 = false;
            for (const t3 of h2.members) if (t3.name === s2) {
              c2 += t3.offset, h2 = t3.type, e3 = true;
              break;
            }
            if (!e3) return console.error(`GetDataValue: Member ${s2} not found`), null;
          } else if (h2 instanceof e) {
            const e3 = h2.getTypeName();
            if ("vec2f" === e3 || "vec3f" === e3 || "vec4f" === e3 || "vec2i" === e3 || "vec3i" === e3 || "vec4i" === e3 || "vec2u" === e3 || "vec3u" === e3 || "vec4u" === e3 || "vec2b" === e3 || "vec3b" === e3 || "vec4b" === e3 || "vec2h" === e3 || "vec3h" === e3 || "vec4h" === e3 || "vec2" === e3 || "vec3" === e3 || "vec4" === e3) {
              if (s2.length > 0 && s2.length < 5) {
                let n2 = "f";
                const r3 = [];
                for (let i2 = 0; i2 < s2.length; ++i2) {
                  const a3 = s2[i2].toLowerCase();
                  let o3 = 0;
                  if ("x" === a3 || "r" === a3) o3 = 0;
                  else if ("y" === a3 || "g" === a3) o3 = 1;
                  else if ("z" === a3 || "b" === a3) o3 = 2;
                  else {
                    if ("w" !== a3 && "a" !== a3) return console.error(`Unknown member ${s2}`), null;
                    o3 = 3;
                  }
                  if (1 === s2.length) {
                    if (e3.endsWith("f")) return this.buffer.byteLength < c2 + 4 * o3 + 4 ? (console.log("Insufficient buffer data"), null) : new Fe(new Float32Array(this.buffer, c2 + 4 * o3, 1), t2.getTypeInfo("f32"), this);
                    if (e3.endsWith("h")) return new Fe(new Float32Array(this.buffer, c2 + 4 * o3, 1), t2.getTypeInfo("f16"), this);
                    if (e3.endsWith("i")) return new Fe(new Int32Array(this.buffer, c2 + 4 * o3, 1), t2.getTypeInfo("i32"), this);
                    if (e3.endsWith("b")) return new Fe(new Int32Array(this.buffer, c2 + 4 * o3, 1), t2.getTypeInfo("bool"), this);
                    if (e3.endsWith("u")) return new Fe(new Uint32Array(this.buffer, c2 + 4 * o3, 1), t2.getTypeInfo("i32"), this);
                  }
                  if ("vec2f" === e3) r3.push(new Float32Array(this.buffer, c2, 2)[o3]);
                  else if ("vec3f" === e3) {
                    if (c2 + 12 >= this.buffer.byteLength) return console.log("Insufficient buffer data"), null;
                    const e4 = new Float32Array(this.buffer, c2, 3);
                    r3.push(e4[o3]);
                  } else if ("vec4f" === e3) r3.push(new Float32Array(this.buffer, c2, 4)[o3]);
                  else if ("vec2i" === e3) n2 = "i", r3.push(new Int32Array(this.buffer, c2, 2)[o3]);
                  else if ("vec3i" === e3) n2 = "i", r3.push(new Int32Array(this.buffer, c2, 3)[o3]);
                  else if ("vec4i" === e3) n2 = "i", r3.push(new Int32Array(this.buffer, c2, 4)[o3]);
                  else if ("vec2u" === e3) {
                    n2 = "u";
                    const e4 = new Uint32Array(this.buffer, c2, 2);
                    r3.push(e4[o3]);
                  } else "vec3u" === e3 ? (n2 = "u", r3.push(new Uint32Array(this.buffer, c2, 3)[o3])) : "vec4u" === e3 && (n2 = "u", r3.push(new Uint32Array(this.buffer, c2, 4)[o3]));
                }
                return 2 === r3.length ? h2 = t2.getTypeInfo(`vec2${n2}`) : 3 === r3.length ? h2 = t2.getTypeInfo(`vec3${n2}`) : 4 === r3.length ? h2 = t2.getTypeInfo(`vec4${n2}`) : console.error(`GetDataValue: Invalid vector length ${r3.length}`), new ze(r3, h2, null);
              }
              return console.error(`GetDataValue: Unknown member ${s2}`), null;
            }
            return console.error(`GetDataValue: Type ${e3} is not a struct`), null;
          }
        }
      }
      r2 = r2.postfix;
    }
    const f2 = h2.getTypeName();
    return "f32" === f2 ? new Fe(new Float32Array(this.buffer, c2, 1), h2, this) : "i32" === f2 ? new Fe(new Int32Array(this.buffer, c2, 1), h2, this) : "u32" === f2 ? new Fe(new Uint32Array(this.buffer, c2, 1), h2, this) : "vec2f" === f2 ? new ze(new Float32Array(this.buffer, c2, 2), h2, this) : "vec3f" === f2 ? new ze(new Float32Array(this.buffer, c2, 3), h2, this) : "vec4f" === f2 ? new ze(new Float32Array(this.buffer, c2, 4), h2, this) : "vec2i" === f2 ? new ze(new Int32Array(this.buffer, c2, 2), h2, this) : "vec3i" === f2 ? new ze(new Int32Array(this.buffer, c2, 3), h2, this) : "vec4i" === f2 ? new ze(new Int32Array(this.buffer, c2, 4), h2, this) : "vec2u" === f2 ? new ze(new Uint32Array(this.buffer, c2, 2), h2, this) : "vec3u" === f2 ? new ze(new Uint32Array(this.buffer, c2, 3), h2, this) : "vec4u" === f2 ? new ze(new Uint32Array(this.buffer, c2, 4), h2, this) : h2 instanceof i && "atomic" === h2.name ? "u32" === (null === (o2 = h2.format) || void 0 === o2 ? void 0 : o2.name) ? new Fe(new Uint32Array(this.buffer, c2, 1)[0], h2.format, this) : "i32" === (null === (l2 = h2.format) || void 0 === l2 ? void 0 : l2.name) ? new Fe(new Int32Array(this.buffer, c2, 1)[0], h2.format, this) : (console.error(`GetDataValue: Invalid atomic format ${null === (u2 = h2.format) || void 0 === u2 ? void 0 : u2.name}`), null) : new _We(this.buffer, h2, c2, this);
  }
  static _matrixColumnStride(e3) {
    return 2 === e3 ? 8 : 16;
  }
  _matrixColumn(e3, t2, n2) {
    return new Float32Array(this.buffer, e3 + t2 * _We._matrixColumnStride(n2), n2);
  }
  _readMatrix(e3, t2, n2) {
    const s2 = new Float32Array(t2 * n2);
    for (let r2 = 0; r2 < t2; ++r2) s2.set(this._matrixColumn(e3, r2, n2), r2 * n2);
    return s2;
  }
  _writeMatrix(e3, t2, n2, s2) {
    const r2 = s2 instanceof Pe ? s2.data : s2;
    for (let s3 = 0; s3 < t2; ++s3) {
      const t3 = this._matrixColumn(e3, s3, n2);
      for (let e4 = 0; e4 < n2; ++e4) t3[e4] = r2[s3 * n2 + e4];
    }
  }
  toArray() {
    const e3 = this.typeInfo.getTypeName();
    return "f32" === e3 || "f16" === e3 ? new Float32Array(this.buffer, this.offset, 1) : "i32" === e3 || "atomic<i32>" === e3 || "x32" === e3 ? new Int32Array(this.buffer, this.offset, 1) : "u32" === e3 || "atomic<u32>" === e3 ? new Uint32Array(this.buffer, this.offset, 1) : "bool" === e3 ? new Int32Array(this.buffer, this.offset, 1) : "vec2f" === e3 || "vec2h" === e3 ? new Float32Array(this.buffer, this.offset, 2) : "vec3f" === e3 || "vec3h" === e3 ? new Float32Array(this.buffer, this.offset, 3) : "vec4f" === e3 || "vec4h" === e3 ? new Float32Array(this.buffer, this.offset, 4) : "vec2i" === e3 ? new Int32Array(this.buffer, this.offset, 2) : "vec3i" === e3 ? new Int32Array(this.buffer, this.offset, 3) : "vec4i" === e3 ? new Int32Array(this.buffer, this.offset, 4) : "vec2u" === e3 ? new Uint32Array(this.buffer, this.offset, 2) : "vec3u" === e3 ? new Uint32Array(this.buffer, this.offset, 3) : "vec4u" === e3 ? new Uint32Array(this.buffer, this.offset, 4) : "vec2b" === e3 ? new Uint32Array(this.buffer, this.offset, 2) : "vec3b" === e3 ? new Uint32Array(this.buffer, this.offset, 3) : "vec4b" === e3 ? new Uint32Array(this.buffer, this.offset, 4) : "mat2x2f" === e3 || "mat2x2h" === e3 ? this._readMatrix(this.offset, 2, 2) : "mat2x3f" === e3 || "mat2x3h" === e3 ? this._readMatrix(this.offset, 2, 3) : "mat2x4f" === e3 || "mat2x4h" === e3 ? this._readMatrix(this.offset, 2, 4) : "mat3x2f" === e3 || "mat3x2h" === e3 ? this._readMatrix(this.offset, 3, 2) : "mat3x3f" === e3 || "mat3x3h" === e3 ? this._readMatrix(this.offset, 3, 3) : "mat3x4f" === e3 || "mat3x4h" === e3 ? this._readMatrix(this.offset, 3, 4) : "mat4x2f" === e3 || "mat4x2h" === e3 ? this._readMatrix(this.offset, 4, 2) : "mat4x3f" === e3 || "mat4x3h" === e3 ? this._readMatrix(this.offset, 4, 3) : "mat4x4f" === e3 || "mat4x4h" === e3 ? this._readMatrix(this.offset, 4, 4) : null;
  }
  toString() {
    let e3 = "";
    if (this.typeInfo instanceof s) if ("f32" === this.typeInfo.format.name) {
      const t2 = new Float32Array(this.buffer, this.offset);
      e3 = `[${t2[0]}`;
      for (let n2 = 1; n2 < t2.length; ++n2) e3 += `, ${t2[n2]}`;
    } else if ("i32" === this.typeInfo.format.name) {
      const t2 = new Int32Array(this.buffer, this.offset);
      e3 = `[${t2[0]}`;
      for (let n2 = 1; n2 < t2.length; ++n2) e3 += `, ${t2[n2]}`;
    } else if ("u32" === this.typeInfo.format.name) {
      const t2 = new Uint32Array(this.buffer, this.offset);
      e3 = `[${t2[0]}`;
      for (let n2 = 1; n2 < t2.length; ++n2) e3 += `, ${t2[n2]}`;
    } else if ("vec2f" === this.typeInfo.format.name) {
      const t2 = new Float32Array(this.buffer, this.offset);
      e3 = `[${t2[0]}, ${t2[1]}]`;
      for (let n2 = 1; n2 < t2.length / 2; ++n2) e3 += `, [${t2[2 * n2]}, ${t2[2 * n2 + 1]}]`;
    } else if ("vec3f" === this.typeInfo.format.name) {
      const t2 = new Float32Array(this.buffer, this.offset);
      e3 = `[${t2[0]}, ${t2[1]}, ${t2[2]}]`;
      for (let n2 = 4; n2 < t2.length; n2 += 4) e3 += `, [${t2[n2]}, ${t2[n2 + 1]}, ${t2[n2 + 2]}]`;
    } else if ("vec4f" === this.typeInfo.format.name) {
      const t2 = new Float32Array(this.buffer, this.offset);
      e3 = `[${t2[0]}, ${t2[1]}, ${t2[2]}, ${t2[3]}]`;
      for (let n2 = 4; n2 < t2.length; n2 += 4) e3 += `, [${t2[n2]}, ${t2[n2 + 1]}, ${t2[n2 + 2]}, ${t2[n2 + 3]}]`;
    } else e3 = "[...]";
    else this.typeInfo instanceof n ? e3 += "{...}" : e3 = "[...]";
    return e3;
  }
};
var qe = class _qe extends Ve {
  constructor(e3, t2) {
    super(t2, null), this.descriptor = null != e3 ? e3 : {};
  }
  clone() {
    return new _qe(this.descriptor, this.typeInfo);
  }
  getSubData(e3, t2, n2) {
    return t2 ? (console.error("getSubData: Sampler data does not support postfix", t2), null) : this;
  }
};
var Oe = class _Oe extends Ve {
  constructor(e3, t2, n2, s2) {
    super(t2, null), this.data = e3, this.descriptor = n2, this.view = s2;
  }
  clone() {
    return new _Oe(this.data, this.typeInfo, this.descriptor, this.view);
  }
  getSubData(e3, t2, n2) {
    return t2 ? (console.error("getSubData: Texture data does not support postfix", t2), null) : this;
  }
  get width() {
    var e3, t2;
    const n2 = this.descriptor.size;
    return n2 instanceof Array && n2.length > 0 ? null !== (e3 = n2[0]) && void 0 !== e3 ? e3 : 0 : n2 instanceof Object && null !== (t2 = n2.width) && void 0 !== t2 ? t2 : 0;
  }
  get height() {
    var e3, t2;
    const n2 = this.descriptor.size;
    return n2 instanceof Array && n2.length > 1 ? null !== (e3 = n2[1]) && void 0 !== e3 ? e3 : 0 : n2 instanceof Object && null !== (t2 = n2.height) && void 0 !== t2 ? t2 : 0;
  }
  get depthOrArrayLayers() {
    var e3, t2;
    const n2 = this.descriptor.size;
    return n2 instanceof Array && n2.length > 2 ? null !== (e3 = n2[2]) && void 0 !== e3 ? e3 : 0 : n2 instanceof Object && null !== (t2 = n2.depthOrArrayLayers) && void 0 !== t2 ? t2 : 0;
  }
  get format() {
    var e3;
    return this.descriptor && null !== (e3 = this.descriptor.format) && void 0 !== e3 ? e3 : "rgba8unorm";
  }
  get sampleCount() {
    var e3;
    return this.descriptor && null !== (e3 = this.descriptor.sampleCount) && void 0 !== e3 ? e3 : 1;
  }
  get mipLevelCount() {
    var e3;
    return this.descriptor && null !== (e3 = this.descriptor.mipLevelCount) && void 0 !== e3 ? e3 : 1;
  }
  get dimension() {
    var e3;
    return this.descriptor && null !== (e3 = this.descriptor.dimension) && void 0 !== e3 ? e3 : "2d";
  }
  getMipLevelSize(e3) {
    if (e3 >= this.mipLevelCount) return [0, 0, 0];
    const t2 = [this.width, this.height, this.depthOrArrayLayers];
    for (let n2 = 0; n2 < t2.length; ++n2) t2[n2] = Math.max(1, t2[n2] >> e3);
    return t2;
  }
  get texelByteSize() {
    const e3 = this.format, t2 = S[e3];
    return t2 ? t2.isDepthStencil ? 4 : t2.bytesPerBlock : 0;
  }
  get bytesPerRow() {
    return this.width * this.texelByteSize;
  }
  get isDepthStencil() {
    const e3 = this.format, t2 = S[e3];
    return !!t2 && t2.isDepthStencil;
  }
  get swizzle() {
    var e3;
    return this.view && null !== (e3 = this.view.swizzle) && void 0 !== e3 ? e3 : "rgba";
  }
  getGpuSize() {
    const e3 = this.format, t2 = S[e3], n2 = this.width;
    if (!e3 || n2 <= 0 || !t2) return -1;
    const s2 = this.height, r2 = this.depthOrArrayLayers, i2 = this.dimension;
    return n2 / t2.blockWidth * ("1d" === i2 ? 1 : s2 / t2.blockHeight) * t2.bytesPerBlock * r2;
  }
  applySwizzle(e3) {
    var t2, n2, s2, r2, i2, a2, o2, l2;
    if (null == e3) return null;
    const u2 = [null !== (t2 = e3[0]) && void 0 !== t2 ? t2 : 0, null !== (n2 = e3[1]) && void 0 !== n2 ? n2 : 0, null !== (s2 = e3[2]) && void 0 !== s2 ? s2 : 0, null !== (r2 = e3[3]) && void 0 !== r2 ? r2 : 1], c2 = this.swizzle.toLowerCase();
    if ("rgba" === c2) return u2;
    const h2 = { r: u2[0], g: u2[1], b: u2[2], a: u2[3], 0: 0, 1: 1 };
    return [null !== (i2 = h2[c2[0]]) && void 0 !== i2 ? i2 : u2[0], null !== (a2 = h2[c2[1]]) && void 0 !== a2 ? a2 : u2[1], null !== (o2 = h2[c2[2]]) && void 0 !== o2 ? o2 : u2[2], null !== (l2 = h2[c2[3]]) && void 0 !== l2 ? l2 : u2[3]];
  }
  getPixel(e3, t2, n2 = 0, s2 = 0) {
    const r2 = this.texelByteSize, i2 = this.bytesPerRow, a2 = this.height, o2 = this.data[s2], l2 = k(new Uint8Array(o2), e3, t2, n2, s2, a2, i2, r2, this.format);
    return this.applySwizzle(l2);
  }
  setPixel(e3, t2, n2, s2, r2) {
    const i2 = this.texelByteSize, a2 = this.bytesPerRow, o2 = this.height, l2 = this.data[s2];
    !(function(e4, t3, n3, s3, r3, i3, a3, o3, l3, u2) {
      const c2 = s3 * (a3 >>= r3) * (i3 >>= r3) + n3 * a3 + t3 * o3;
      switch (l3) {
        case "r8unorm":
          return void T(e4, c2, "8unorm", 1, u2);
        case "r8snorm":
          return void T(e4, c2, "8snorm", 1, u2);
        case "r8uint":
          return void T(e4, c2, "8uint", 1, u2);
        case "r8sint":
          return void T(e4, c2, "8sint", 1, u2);
        case "rg8unorm":
          return void T(e4, c2, "8unorm", 2, u2);
        case "rg8snorm":
          return void T(e4, c2, "8snorm", 2, u2);
        case "rg8uint":
          return void T(e4, c2, "8uint", 2, u2);
        case "rg8sint":
          return void T(e4, c2, "8sint", 2, u2);
        case "rgba8unorm-srgb":
        case "rgba8unorm":
        case "bgra8unorm-srgb":
        case "bgra8unorm":
          return void T(e4, c2, "8unorm", 4, u2);
        case "rgba8snorm":
          return void T(e4, c2, "8snorm", 4, u2);
        case "rgba8uint":
          return void T(e4, c2, "8uint", 4, u2);
        case "rgba8sint":
          return void T(e4, c2, "8sint", 4, u2);
        case "r16uint":
          return void T(e4, c2, "16uint", 1, u2);
        case "r16sint":
          return void T(e4, c2, "16sint", 1, u2);
        case "r16float":
          return void T(e4, c2, "16float", 1, u2);
        case "rg16uint":
          return void T(e4, c2, "16uint", 2, u2);
        case "rg16sint":
          return void T(e4, c2, "16sint", 2, u2);
        case "rg16float":
          return void T(e4, c2, "16float", 2, u2);
        case "rgba16uint":
          return void T(e4, c2, "16uint", 4, u2);
        case "rgba16sint":
          return void T(e4, c2, "16sint", 4, u2);
        case "rgba16float":
          return void T(e4, c2, "16float", 4, u2);
        case "r32uint":
          return void T(e4, c2, "32uint", 1, u2);
        case "r32sint":
          return void T(e4, c2, "32sint", 1, u2);
        case "depth16unorm":
        case "depth24plus":
        case "depth24plus-stencil8":
        case "depth32float":
        case "depth32float-stencil8":
        case "r32float":
          return void T(e4, c2, "32float", 1, u2);
        case "rg32uint":
          return void T(e4, c2, "32uint", 2, u2);
        case "rg32sint":
          return void T(e4, c2, "32sint", 2, u2);
        case "rg32float":
          return void T(e4, c2, "32float", 2, u2);
        case "rgba32uint":
          return void T(e4, c2, "32uint", 4, u2);
        case "rgba32sint":
          return void T(e4, c2, "32sint", 4, u2);
        case "rgba32float":
          return void T(e4, c2, "32float", 4, u2);
        case "rg11b10ufloat":
          console.error("TODO: rg11b10ufloat not supported for writing");
      }
    })(new Uint8Array(l2), e3, t2, n2, s2, o2, a2, i2, this.format, r2);
  }
};
((e3) => {
  e3[e3.token = 0] = "token", e3[e3.keyword = 1] = "keyword", e3[e3.reserved = 2] = "reserved";
})(R || (R = {}));
var Re = class {
  constructor(e3, t2, n2) {
    this.name = e3, this.type = t2, this.rule = n2;
  }
  toString() {
    return this.name;
  }
};
var He = class {
};
O = He, He.none = new Re("", R.reserved, ""), He.eof = new Re("EOF", R.token, ""), He.reserved = { asm: new Re("asm", R.reserved, "asm"), bf16: new Re("bf16", R.reserved, "bf16"), do: new Re("do", R.reserved, "do"), enum: new Re("enum", R.reserved, "enum"), f16: new Re("f16", R.reserved, "f16"), f64: new Re("f64", R.reserved, "f64"), handle: new Re("handle", R.reserved, "handle"), i8: new Re("i8", R.reserved, "i8"), i16: new Re("i16", R.reserved, "i16"), i64: new Re("i64", R.reserved, "i64"), mat: new Re("mat", R.reserved, "mat"), premerge: new Re("premerge", R.reserved, "premerge"), regardless: new Re("regardless", R.reserved, "regardless"), typedef: new Re("typedef", R.reserved, "typedef"), u8: new Re("u8", R.reserved, "u8"), u16: new Re("u16", R.reserved, "u16"), u64: new Re("u64", R.reserved, "u64"), unless: new Re("unless", R.reserved, "unless"), using: new Re("using", R.reserved, "using"), vec: new Re("vec", R.reserved, "vec"), void: new Re("void", R.reserved, "void") }, He.keywords = { array: new Re("array", R.keyword, "array"), atomic: new Re("atomic", R.keyword, "atomic"), bool: new Re("bool", R.keyword, "bool"), f32: new Re("f32", R.keyword, "f32"), i32: new Re("i32", R.keyword, "i32"), mat2x2: new Re("mat2x2", R.keyword, "mat2x2"), mat2x3: new Re("mat2x3", R.keyword, "mat2x3"), mat2x4: new Re("mat2x4", R.keyword, "mat2x4"), mat3x2: new Re("mat3x2", R.keyword, "mat3x2"), mat3x3: new Re("mat3x3", R.keyword, "mat3x3"), mat3x4: new Re("mat3x4", R.keyword, "mat3x4"), mat4x2: new Re("mat4x2", R.keyword, "mat4x2"), mat4x3: new Re("mat4x3", R.keyword, "mat4x3"), mat4x4: new Re("mat4x4", R.keyword, "mat4x4"), ptr: new Re("ptr", R.keyword, "ptr"), sampler: new Re("sampler", R.keyword, "sampler"), sampler_comparison: new Re("sampler_comparison", R.keyword, "sampler_comparison"), struct: new Re("struct", R.keyword, "struct"), texture_1d: new Re("texture_1d", R.keyword, "texture_1d"), texture_2d: new Re("texture_2d", R.keyword, "texture_2d"), texture_2d_array: new Re("texture_2d_array", R.keyword, "texture_2d_array"), texture_3d: new Re("texture_3d", R.keyword, "texture_3d"), texture_cube: new Re("texture_cube", R.keyword, "texture_cube"), texture_cube_array: new Re("texture_cube_array", R.keyword, "texture_cube_array"), texture_multisampled_2d: new Re("texture_multisampled_2d", R.keyword, "texture_multisampled_2d"), texture_storage_1d: new Re("texture_storage_1d", R.keyword, "texture_storage_1d"), texture_storage_2d: new Re("texture_storage_2d", R.keyword, "texture_storage_2d"), texture_storage_2d_array: new Re("texture_storage_2d_array", R.keyword, "texture_storage_2d_array"), texture_storage_3d: new Re("texture_storage_3d", R.keyword, "texture_storage_3d"), texture_depth_2d: new Re("texture_depth_2d", R.keyword, "texture_depth_2d"), texture_depth_2d_array: new Re("texture_depth_2d_array", R.keyword, "texture_depth_2d_array"), texture_depth_cube: new Re("texture_depth_cube", R.keyword, "texture_depth_cube"), texture_depth_cube_array: new Re("texture_depth_cube_array", R.keyword, "texture_depth_cube_array"), texture_depth_multisampled_2d: new Re("texture_depth_multisampled_2d", R.keyword, "texture_depth_multisampled_2d"), texture_external: new Re("texture_external", R.keyword, "texture_external"), u32: new Re("u32", R.keyword, "u32"), vec2: new Re("vec2", R.keyword, "vec2"), vec3: new Re("vec3", R.keyword, "vec3"), vec4: new Re("vec4", R.keyword, "vec4"), bitcast: new Re("bitcast", R.keyword, "bitcast"), block: new Re("block", R.keyword, "block"), break: new Re("break", R.keyword, "break"), case: new Re("case", R.keyword, "case"), continue: new Re("continue", R.keyword, "continue"), continuing: new Re("continuing", R.keyword, "continuing"), default: new Re("default", R.keyword, "default"), diagnostic: new Re("diagnostic", R.keyword, "diagnostic"), discard: new Re("discard", R.keyword, "discard"), else: new Re("else", R.keyword, "else"), enable: new Re("enable", R.keyword, "enable"), fallthrough: new Re("fallthrough", R.keyword, "fallthrough"), false: new Re("false", R.keyword, "false"), fn: new Re("fn", R.keyword, "fn"), for: new Re("for", R.keyword, "for"), function: new Re("function", R.keyword, "function"), if: new Re("if", R.keyword, "if"), let: new Re("let", R.keyword, "let"), const: new Re("const", R.keyword, "const"), loop: new Re("loop", R.keyword, "loop"), while: new Re("while", R.keyword, "while"), private: new Re("private", R.keyword, "private"), read: new Re("read", R.keyword, "read"), read_write: new Re("read_write", R.keyword, "read_write"), return: new Re("return", R.keyword, "return"), requires: new Re("requires", R.keyword, "requires"), storage: new Re("storage", R.keyword, "storage"), immediate: new Re("immediate", R.keyword, "immediate"), switch: new Re("switch", R.keyword, "switch"), true: new Re("true", R.keyword, "true"), alias: new Re("alias", R.keyword, "alias"), type: new Re("type", R.keyword, "type"), uniform: new Re("uniform", R.keyword, "uniform"), var: new Re("var", R.keyword, "var"), override: new Re("override", R.keyword, "override"), workgroup: new Re("workgroup", R.keyword, "workgroup"), write: new Re("write", R.keyword, "write"), r8unorm: new Re("r8unorm", R.keyword, "r8unorm"), r8snorm: new Re("r8snorm", R.keyword, "r8snorm"), r8uint: new Re("r8uint", R.keyword, "r8uint"), r8sint: new Re("r8sint", R.keyword, "r8sint"), r16uint: new Re("r16uint", R.keyword, "r16uint"), r16sint: new Re("r16sint", R.keyword, "r16sint"), r16float: new Re("r16float", R.keyword, "r16float"), rg8unorm: new Re("rg8unorm", R.keyword, "rg8unorm"), rg8snorm: new Re("rg8snorm", R.keyword, "rg8snorm"), rg8uint: new Re("rg8uint", R.keyword, "rg8uint"), rg8sint: new Re("rg8sint", R.keyword, "rg8sint"), r32uint: new Re("r32uint", R.keyword, "r32uint"), r32sint: new Re("r32sint", R.keyword, "r32sint"), r32float: new Re("r32float", R.keyword, "r32float"), rg16uint: new Re("rg16uint", R.keyword, "rg16uint"), rg16sint: new Re("rg16sint", R.keyword, "rg16sint"), rg16float: new Re("rg16float", R.keyword, "rg16float"), rgba8unorm: new Re("rgba8unorm", R.keyword, "rgba8unorm"), rgba8unorm_srgb: new Re("rgba8unorm_srgb", R.keyword, "rgba8unorm_srgb"), rgba8snorm: new Re("rgba8snorm", R.keyword, "rgba8snorm"), rgba8uint: new Re("rgba8uint", R.keyword, "rgba8uint"), rgba8sint: new Re("rgba8sint", R.keyword, "rgba8sint"), bgra8unorm: new Re("bgra8unorm", R.keyword, "bgra8unorm"), bgra8unorm_srgb: new Re("bgra8unorm_srgb", R.keyword, "bgra8unorm_srgb"), rgb10a2unorm: new Re("rgb10a2unorm", R.keyword, "rgb10a2unorm"), rg11b10float: new Re("rg11b10float", R.keyword, "rg11b10float"), rg32uint: new Re("rg32uint", R.keyword, "rg32uint"), rg32sint: new Re("rg32sint", R.keyword, "rg32sint"), rg32float: new Re("rg32float", R.keyword, "rg32float"), rgba16uint: new Re("rgba16uint", R.keyword, "rgba16uint"), rgba16sint: new Re("rgba16sint", R.keyword, "rgba16sint"), rgba16float: new Re("rgba16float", R.keyword, "rgba16float"), rgba32uint: new Re("rgba32uint", R.keyword, "rgba32uint"), rgba32sint: new Re("rgba32sint", R.keyword, "rgba32sint"), rgba32float: new Re("rgba32float", R.keyword, "rgba32float"), static_assert: new Re("static_assert", R.keyword, "static_assert"), const_assert: new Re("const_assert", R.keyword, "const_assert") }, He.tokens = { decimal_float_literal: new Re("decimal_float_literal", R.token, /((-?[0-9]*\.[0-9]+|-?[0-9]+\.[0-9]*)((e|E)(\+|-)?[0-9]+)?[fh]?)|(-?[0-9]+(e|E)(\+|-)?[0-9]+[fh]?)|(-?[0-9]+[fh])/), hex_float_literal: new Re("hex_float_literal", R.token, /-?0x((([0-9a-fA-F]*\.[0-9a-fA-F]+|[0-9a-fA-F]+\.[0-9a-fA-F]*)((p|P)(\+|-)?[0-9]+[fh]?)?)|([0-9a-fA-F]+(p|P)(\+|-)?[0-9]+[fh]?))/), int_literal: new Re("int_literal", R.token, /-?0x[0-9a-fA-F]+|0i?|-?[1-9][0-9]*i?/), uint_literal: new Re("uint_literal", R.token, /0x[0-9a-fA-F]+u|0u|[1-9][0-9]*u/), name: new Re("name", R.token, /([_\p{XID_Start}][\p{XID_Continue}]+)|([\p{XID_Start}])/u), ident: new Re("ident", R.token, /[_a-zA-Z][0-9a-zA-Z_]*/), and: new Re("and", R.token, "&"), and_and: new Re("and_and", R.token, "&&"), arrow: new Re("arrow ", R.token, "->"), attr: new Re("attr", R.token, "@"), forward_slash: new Re("forward_slash", R.token, "/"), bang: new Re("bang", R.token, "!"), bracket_left: new Re("bracket_left", R.token, "["), bracket_right: new Re("bracket_right", R.token, "]"), brace_left: new Re("brace_left", R.token, "{"), brace_right: new Re("brace_right", R.token, "}"), colon: new Re("colon", R.token, ":"), comma: new Re("comma", R.token, ","), equal: new Re("equal", R.token, "="), equal_equal: new Re("equal_equal", R.token, "=="), not_equal: new Re("not_equal", R.token, "!="), greater_than: new Re("greater_than", R.token, ">"), greater_than_equal: new Re("greater_than_equal", R.token, ">="), shift_right: new Re("shift_right", R.token, ">>"), less_than: new Re("less_than", R.token, "<"), less_than_equal: new Re("less_than_equal", R.token, "<="), shift_left: new Re("shift_left", R.token, "<<"), modulo: new Re("modulo", R.token, "%"), minus: new Re("minus", R.token, "-"), minus_minus: new Re("minus_minus", R.token, "--"), period: new Re("period", R.token, "."), plus: new Re("plus", R.token, "+"), plus_plus: new Re("plus_plus", R.token, "++"), or: new Re("or", R.token, "|"), or_or: new Re("or_or", R.token, "||"), paren_left: new Re("paren_left", R.token, "("), paren_right: new Re("paren_right", R.token, ")"), semicolon: new Re("semicolon", R.token, ";"), star: new Re("star", R.token, "*"), tilde: new Re("tilde", R.token, "~"), underscore: new Re("underscore", R.token, "_"), xor: new Re("xor", R.token, "^"), plus_equal: new Re("plus_equal", R.token, "+="), minus_equal: new Re("minus_equal", R.token, "-="), times_equal: new Re("times_equal", R.token, "*="), division_equal: new Re("division_equal", R.token, "/="), modulo_equal: new Re("modulo_equal", R.token, "%="), and_equal: new Re("and_equal", R.token, "&="), or_equal: new Re("or_equal", R.token, "|="), xor_equal: new Re("xor_equal", R.token, "^="), shift_right_equal: new Re("shift_right_equal", R.token, ">>="), shift_left_equal: new Re("shift_left_equal", R.token, "<<=") }, He.simpleTokens = { "@": O.tokens.attr, "{": O.tokens.brace_left, "}": O.tokens.brace_right, ":": O.tokens.colon, ",": O.tokens.comma, "(": O.tokens.paren_left, ")": O.tokens.paren_right, ";": O.tokens.semicolon }, He.literalTokens = { "&": O.tokens.and, "&&": O.tokens.and_and, "->": O.tokens.arrow, "/": O.tokens.forward_slash, "!": O.tokens.bang, "[": O.tokens.bracket_left, "]": O.tokens.bracket_right, "=": O.tokens.equal, "==": O.tokens.equal_equal, "!=": O.tokens.not_equal, ">": O.tokens.greater_than, ">=": O.tokens.greater_than_equal, ">>": O.tokens.shift_right, "<": O.tokens.less_than, "<=": O.tokens.less_than_equal, "<<": O.tokens.shift_left, "%": O.tokens.modulo, "-": O.tokens.minus, "--": O.tokens.minus_minus, ".": O.tokens.period, "+": O.tokens.plus, "++": O.tokens.plus_plus, "|": O.tokens.or, "||": O.tokens.or_or, "*": O.tokens.star, "~": O.tokens.tilde, _: O.tokens.underscore, "^": O.tokens.xor, "+=": O.tokens.plus_equal, "-=": O.tokens.minus_equal, "*=": O.tokens.times_equal, "/=": O.tokens.division_equal, "%=": O.tokens.modulo_equal, "&=": O.tokens.and_equal, "|=": O.tokens.or_equal, "^=": O.tokens.xor_equal, ">>=": O.tokens.shift_right_equal, "<<=": O.tokens.shift_left_equal }, He.regexTokens = { decimal_float_literal: O.tokens.decimal_float_literal, hex_float_literal: O.tokens.hex_float_literal, int_literal: O.tokens.int_literal, uint_literal: O.tokens.uint_literal, ident: O.tokens.ident }, He.storage_class = [O.keywords.function, O.keywords.private, O.keywords.workgroup, O.keywords.uniform, O.keywords.storage, O.keywords.immediate], He.access_mode = [O.keywords.read, O.keywords.write, O.keywords.read_write], He.sampler_type = [O.keywords.sampler, O.keywords.sampler_comparison], He.sampled_texture_type = [O.keywords.texture_1d, O.keywords.texture_2d, O.keywords.texture_2d_array, O.keywords.texture_3d, O.keywords.texture_cube, O.keywords.texture_cube_array], He.multisampled_texture_type = [O.keywords.texture_multisampled_2d], He.storage_texture_type = [O.keywords.texture_storage_1d, O.keywords.texture_storage_2d, O.keywords.texture_storage_2d_array, O.keywords.texture_storage_3d], He.depth_texture_type = [O.keywords.texture_depth_2d, O.keywords.texture_depth_2d_array, O.keywords.texture_depth_cube, O.keywords.texture_depth_cube_array, O.keywords.texture_depth_multisampled_2d], He.texture_external_type = [O.keywords.texture_external], He.any_texture_type = [...O.sampled_texture_type, ...O.multisampled_texture_type, ...O.storage_texture_type, ...O.depth_texture_type, ...O.texture_external_type], He.texel_format = [O.keywords.r8unorm, O.keywords.r8snorm, O.keywords.r8uint, O.keywords.r8sint, O.keywords.r16uint, O.keywords.r16sint, O.keywords.r16float, O.keywords.rg8unorm, O.keywords.rg8snorm, O.keywords.rg8uint, O.keywords.rg8sint, O.keywords.r32uint, O.keywords.r32sint, O.keywords.r32float, O.keywords.rg16uint, O.keywords.rg16sint, O.keywords.rg16float, O.keywords.rgba8unorm, O.keywords.rgba8unorm_srgb, O.keywords.rgba8snorm, O.keywords.rgba8uint, O.keywords.rgba8sint, O.keywords.bgra8unorm, O.keywords.bgra8unorm_srgb, O.keywords.rgb10a2unorm, O.keywords.rg11b10float, O.keywords.rg32uint, O.keywords.rg32sint, O.keywords.rg32float, O.keywords.rgba16uint, O.keywords.rgba16sint, O.keywords.rgba16float, O.keywords.rgba32uint, O.keywords.rgba32sint, O.keywords.rgba32float], He.const_literal = [O.tokens.int_literal, O.tokens.uint_literal, O.tokens.decimal_float_literal, O.tokens.hex_float_literal, O.keywords.true, O.keywords.false], He.literal_or_ident = [O.tokens.ident, O.tokens.int_literal, O.tokens.uint_literal, O.tokens.decimal_float_literal, O.tokens.hex_float_literal, O.tokens.name], He.element_count_expression = [O.tokens.int_literal, O.tokens.uint_literal, O.tokens.ident], He.template_types = [O.keywords.vec2, O.keywords.vec3, O.keywords.vec4, O.keywords.mat2x2, O.keywords.mat2x3, O.keywords.mat2x4, O.keywords.mat3x2, O.keywords.mat3x3, O.keywords.mat3x4, O.keywords.mat4x2, O.keywords.mat4x3, O.keywords.mat4x4, O.keywords.atomic, O.keywords.bitcast, ...O.any_texture_type], He.attribute_name = [O.tokens.ident, O.keywords.block, O.keywords.diagnostic], He.assignment_operators = [O.tokens.equal, O.tokens.plus_equal, O.tokens.minus_equal, O.tokens.times_equal, O.tokens.division_equal, O.tokens.modulo_equal, O.tokens.and_equal, O.tokens.or_equal, O.tokens.xor_equal, O.tokens.shift_right_equal, O.tokens.shift_left_equal], He.increment_operators = [O.tokens.plus_plus, O.tokens.minus_minus];
var Ge = class {
  constructor(e3, t2, n2, s2, r2) {
    this.type = e3, this.lexeme = t2, this.line = n2, this.start = s2, this.end = r2;
  }
  toString() {
    return this.lexeme;
  }
  isTemplateType() {
    return He.template_types.includes(this.type);
  }
  isArrayType() {
    return this.type === He.keywords.array;
  }
  isArrayOrTemplateType() {
    return this.isArrayType() || this.isTemplateType();
  }
};
var Xe = class _Xe {
  constructor(e3) {
    this._tokens = [], this._start = 0, this._current = 0, this._line = 1, this._source = null != e3 ? e3 : "";
  }
  scanTokens() {
    for (; !this._isAtEnd(); ) if (this._start = this._current, !this.scanToken()) throw `Invalid syntax at line ${this._line}`;
    return this._tokens.push(new Ge(He.eof, "", this._line, this._current, this._current)), this._tokens;
  }
  scanToken() {
    let e3 = this._advance();
    if ("\n" == e3) return this._line++, true;
    if (this._isWhitespace(e3)) return true;
    if ("/" == e3) {
      if ("/" == this._peekAhead()) {
        for (; "\n" != e3; ) {
          if (this._isAtEnd()) return true;
          e3 = this._advance();
        }
        return this._line++, true;
      }
      if ("*" == this._peekAhead()) {
        this._advance();
        let t3 = 1;
        for (; t3 > 0; ) {
          if (this._isAtEnd()) return true;
          if (e3 = this._advance(), "\n" == e3) this._line++;
          else if ("*" == e3) {
            if ("/" == this._peekAhead() && (this._advance(), t3--, 0 == t3)) return true;
          } else "/" == e3 && "*" == this._peekAhead() && (this._advance(), t3++);
        }
        return true;
      }
    }
    const t2 = He.simpleTokens[e3];
    if (t2) return this._addToken(t2), true;
    let n2 = He.none;
    const s2 = this._isAlpha(e3), r2 = "_" === e3;
    if (this._isAlphaNumeric(e3)) {
      let t3 = this._peekAhead();
      for (; this._isAlphaNumeric(t3); ) e3 += this._advance(), t3 = this._peekAhead();
    }
    if (s2) {
      const t3 = He.keywords[e3];
      if (t3) return this._addToken(t3), true;
    }
    if (s2 || r2) return this._addToken(He.tokens.ident), true;
    for (; ; ) {
      let t3 = this._findType(e3);
      const s3 = this._peekAhead();
      if ("-" == e3 && this._tokens.length > 0) {
        if ("=" == s3) return this._current++, e3 += s3, this._addToken(He.tokens.minus_equal), true;
        if ("-" == s3) return this._current++, e3 += s3, this._addToken(He.tokens.minus_minus), true;
        const n3 = this._tokens.length - 1;
        if ((He.literal_or_ident.includes(this._tokens[n3].type) || this._tokens[n3].type == He.tokens.paren_right) && ">" != s3) return this._addToken(t3), true;
      }
      if (">" == e3 && (">" == s3 || "=" == s3)) {
        let e4 = false, n3 = this._tokens.length - 1;
        for (let t4 = 0; t4 < 5 && n3 >= 0 && !He.assignment_operators.includes(this._tokens[n3].type); ++t4, --n3) if (this._tokens[n3].type === He.tokens.less_than) {
          n3 > 0 && this._tokens[n3 - 1].isArrayOrTemplateType() && (e4 = true);
          break;
        }
        if (e4) return this._addToken(t3), true;
      }
      if (t3 === He.none) {
        let s4 = e3, r3 = 0;
        const i2 = 2;
        for (let e4 = 0; e4 < i2; ++e4) if (s4 += this._peekAhead(e4), t3 = this._findType(s4), t3 !== He.none) {
          r3 = e4;
          break;
        }
        if (t3 === He.none) return n2 !== He.none && (this._current--, this._addToken(n2), true);
        e3 = s4, this._current += r3 + 1;
      }
      if (n2 = t3, this._isAtEnd()) break;
      e3 += this._advance();
    }
    return n2 !== He.none && (this._addToken(n2), true);
  }
  _findType(e3) {
    for (const t3 in He.regexTokens) {
      const n2 = He.regexTokens[t3];
      if (this._match(e3, n2.rule)) return n2;
    }
    const t2 = He.literalTokens[e3];
    return t2 || He.none;
  }
  _match(e3, t2) {
    const n2 = t2.exec(e3);
    return n2 && 0 == n2.index && n2[0] == e3;
  }
  _isAtEnd() {
    return this._current >= this._source.length;
  }
  _isAlpha(e3) {
    return !this._isNumeric(e3) && !this._isWhitespace(e3) && "_" !== e3 && !_Xe._operators.has(e3);
  }
  _isNumeric(e3) {
    return e3 >= "0" && e3 <= "9";
  }
  _isAlphaNumeric(e3) {
    return this._isAlpha(e3) || this._isNumeric(e3) || "_" === e3;
  }
  _isWhitespace(e3) {
    return " " == e3 || "	" == e3 || "\r" == e3;
  }
  _advance(e3 = 0) {
    const t2 = this._source[this._current];
    return this._current += e3 + 1, null != t2 ? t2 : "\0";
  }
  _peekAhead(e3 = 0) {
    return this._current + e3 >= this._source.length ? "\0" : this._source[this._current + e3];
  }
  _addToken(e3) {
    const t2 = this._source.substring(this._start, this._current);
    this._tokens.push(new Ge(e3, t2, this._line, this._start, this._current));
  }
};
function je(e3) {
  return Array.isArray(e3) || (null == e3 ? void 0 : e3.buffer) instanceof ArrayBuffer;
}
Xe._operators = /* @__PURE__ */ new Set([".", "(", ")", "[", "]", "{", "}", ",", ";", ":", "=", "!", "<", ">", "+", "-", "*", "/", "%", "&", "|", "^", "~", "@", "#", "?", "'", "`", '"', "\\", "\n", "\r", "	", "\0"]);
var Ze = new Float32Array(1);
var Ke = new Uint32Array(Ze.buffer);
var Qe = new Uint32Array(Ze.buffer);
var Je = new Int32Array(1);
var Ye = new Float32Array(Je.buffer);
var et = new Uint32Array(Je.buffer);
var tt = new Uint32Array(1);
var nt = new Float32Array(tt.buffer);
var st = new Int32Array(tt.buffer);
function rt(e3, t2, n2) {
  if (t2 === n2) return e3;
  if ("f32" === t2) {
    if ("i32" === n2 || "x32" === n2) return Ze[0] = e3, Ke[0];
    if ("u32" === n2) return Ze[0] = e3, Qe[0];
  } else if ("i32" === t2 || "x32" === t2) {
    if ("f32" === n2) return Je[0] = e3, Ye[0];
    if ("u32" === n2) return Je[0] = e3, et[0];
  } else if ("u32" === t2) {
    if ("f32" === n2) return tt[0] = e3, nt[0];
    if ("i32" === n2 || "x32" === n2) return tt[0] = e3, st[0];
  }
  return console.error(`Unsupported cast from ${t2} to ${n2}`), e3;
}
function it(e3, t2) {
  var n2, s2;
  if (!e3) return null;
  if (e3 instanceof xe) return (function(e4) {
    const t3 = e4.value;
    if ((null == t3 ? void 0 : t3.data) && t3.data.length > 0) return Number(t3.data[0]);
    if ("number" == typeof (null == t3 ? void 0 : t3.value)) return t3.value;
    return null;
  })(e3);
  if (e3 instanceof ge) return it(e3.initializer, t2);
  if (e3 instanceof _e) return e3.postfix ? null : null !== (n2 = t2.get(e3.name)) && void 0 !== n2 ? n2 : null;
  if (e3 instanceof de) {
    const n3 = null !== (s2 = e3.args) && void 0 !== s2 ? s2 : [];
    return 1 === n3.length ? it(n3[0], t2) : null;
  }
  if (e3 instanceof ke) {
    const n3 = it(e3.right, t2);
    return null === n3 ? null : "-" === e3.operator ? -n3 : "+" === e3.operator ? n3 : null;
  }
  if (e3 instanceof Ie) {
    const n3 = it(e3.left, t2), s3 = it(e3.right, t2);
    if (null === n3 || null === s3) return null;
    switch (e3.operator) {
      case "+":
        return n3 + s3;
      case "-":
        return n3 - s3;
      case "*":
        return n3 * s3;
      case "/":
        return 0 === s3 ? null : n3 / s3;
      case "%":
        return 0 === s3 ? null : n3 % s3;
      case "<<":
        return n3 << s3;
      case ">>":
        return n3 >> s3;
      default:
        return null;
    }
  }
  return null;
}
function at(e3, t2) {
  var n2, s2;
  for (const r2 of null !== (n2 = e3.attributes) && void 0 !== n2 ? n2 : []) {
    if ("workgroup_size" !== r2.name) continue;
    const e4 = r2.value;
    if (null === e4) return [1, 1, 1];
    const n3 = Array.isArray(e4) ? e4 : [e4], i2 = [1, 1, 1];
    for (let e5 = 0; e5 < 3 && e5 < n3.length; ++e5) {
      const r3 = n3[e5], a2 = Number(r3);
      i2[e5] = Number.isFinite(a2) ? a2 : null !== (s2 = t2.get(String(r3))) && void 0 !== s2 ? s2 : 1;
    }
    return [i2[0], i2[1], i2[2]];
  }
  return null;
}
var ot = class {
  constructor(e3) {
    this.resources = null, this.inUse = false, this.info = null, this.node = e3;
  }
};
var lt = class {
  constructor(e3, t2) {
    this.align = e3, this.size = t2;
  }
};
var ut = class _ut {
  constructor() {
    this.uniforms = [], this.storage = [], this.immediates = [], this.textures = [], this.samplers = [], this.aliases = [], this.overrides = [], this.structs = [], this.entry = new d(), this.functions = [], this._types = /* @__PURE__ */ new Map(), this._functions = /* @__PURE__ */ new Map(), this._constValues = /* @__PURE__ */ new Map();
  }
  _recordConstValue(e3, t2) {
    const n2 = it(t2, this._constValues);
    null !== n2 && this._constValues.set(e3, n2);
  }
  _isStorageTexture(e3) {
    return "texture_storage_1d" == e3.name || "texture_storage_2d" == e3.name || "texture_storage_2d_array" == e3.name || "texture_storage_3d" == e3.name;
  }
  updateAST(e3) {
    for (const t2 of e3) (t2 instanceof P || t2 instanceof U) && this._recordConstValue(t2.name, t2.value);
    for (const t2 of e3) t2 instanceof N && this._functions.set(t2.name, new ot(t2));
    for (const t2 of e3) if (t2 instanceof oe) {
      const e4 = this.getTypeInfo(t2, null);
      e4 instanceof n && this.structs.push(e4);
    }
    for (const t2 of e3) if (t2 instanceof te) this.aliases.push(this._getAliasInfo(t2));
    else {
      if (t2 instanceof U) {
        const e4 = t2, n2 = this._getAttributeNum(e4.attributes, "id", 0), s2 = null != e4.type ? this.getTypeInfo(e4.type, e4.attributes) : null;
        this.overrides.push(new h(e4.name, s2, e4.attributes, n2));
        continue;
      }
      if (this._isUniformVar(t2)) {
        const e4 = t2, n2 = this._getAttributeNum(e4.attributes, "group", 0), s2 = this._getAttributeNum(e4.attributes, "binding", 0), r2 = this.getTypeInfo(e4.type, e4.attributes), i2 = new o(e4.name, r2, n2, s2, e4.attributes, a.Uniform, e4.access);
        i2.access || (i2.access = "read"), this.uniforms.push(i2);
        continue;
      }
      if (this._isImmediateVar(t2)) {
        const e4 = t2, n2 = this._getAttributeNum(e4.attributes, "group", 0), s2 = this._getAttributeNum(e4.attributes, "binding", 0), r2 = this.getTypeInfo(e4.type, e4.attributes), i2 = new o(e4.name, r2, n2, s2, e4.attributes, a.Immediate, e4.access);
        i2.access || (i2.access = "read"), this.immediates.push(i2);
        continue;
      }
      if (this._isStorageVar(t2)) {
        const e4 = t2, n2 = this._getAttributeNum(e4.attributes, "group", 0), s2 = this._getAttributeNum(e4.attributes, "binding", 0), r2 = this.getTypeInfo(e4.type, e4.attributes), i2 = this._isStorageTexture(r2), l2 = new o(e4.name, r2, n2, s2, e4.attributes, i2 ? a.StorageTexture : a.Storage, e4.access);
        l2.access || (l2.access = "read"), this.storage.push(l2);
        continue;
      }
      if (this._isTextureVar(t2)) {
        const e4 = t2, n2 = this._getAttributeNum(e4.attributes, "group", 0), s2 = this._getAttributeNum(e4.attributes, "binding", 0), r2 = this.getTypeInfo(e4.type, e4.attributes), i2 = this._isStorageTexture(r2), l2 = i2 ? r2.access : e4.access, u2 = new o(e4.name, r2, n2, s2, e4.attributes, i2 ? a.StorageTexture : a.Texture, l2 || e4.access);
        u2.access || (u2.access = "read"), i2 ? this.storage.push(u2) : this.textures.push(u2);
        continue;
      }
      if (this._isSamplerVar(t2)) {
        const e4 = t2, n2 = this._getAttributeNum(e4.attributes, "group", 0), s2 = this._getAttributeNum(e4.attributes, "binding", 0), r2 = this.getTypeInfo(e4.type, e4.attributes), i2 = new o(e4.name, r2, n2, s2, e4.attributes, a.Sampler, e4.access);
        this.samplers.push(i2);
        continue;
      }
    }
    for (const t2 of e3) if (t2 instanceof N) {
      const e4 = this._getAttribute(t2, "vertex"), n2 = this._getAttribute(t2, "fragment"), s2 = this._getAttribute(t2, "compute"), r2 = e4 || n2 || s2, i2 = new p(t2.name, null == r2 ? void 0 : r2.name, t2.attributes);
      i2.attributes = t2.attributes, i2.workgroupSize = at(t2, this._constValues), i2.startLine = t2.startLine, i2.endLine = t2.endLine, this.functions.push(i2), this._functions.get(t2.name).info = i2, r2 && (this._functions.get(t2.name).inUse = true, i2.inUse = true, i2.inputs = this._getInputs(t2.args), i2.outputs = this._getOutputs(t2.returnType), this.entry[r2.name].push(i2)), i2.resources = this._findResources(t2, !!r2), i2.arguments = t2.args.map((e5) => new f(e5.name, this.getTypeInfo(e5.type, e5.attributes), e5.attributes)), i2.returnType = t2.returnType ? this.getTypeInfo(t2.returnType, t2.attributes) : null;
      continue;
    }
    for (const e4 of this._functions.values()) e4.info && (e4.info.inUse = e4.inUse, this._addCalls(e4.node, e4.info.calls));
    for (const e4 of this._functions.values()) e4.node.search((t2) => {
      var n2, s2, r2;
      if (t2 instanceof Ne) {
        if (t2.value) if (je(t2.value)) for (const s3 of t2.value) for (const t3 of this.overrides) s3 === t3.name && (null === (n2 = e4.info) || void 0 === n2 || n2.overrides.push(t3));
        else for (const n3 of this.overrides) t2.value === n3.name && (null === (s2 = e4.info) || void 0 === s2 || s2.overrides.push(n3));
      } else if (t2 instanceof _e) for (const n3 of this.overrides) t2.name === n3.name && (null === (r2 = e4.info) || void 0 === r2 || r2.overrides.push(n3));
    });
    for (const e4 of this.uniforms) this._markStructsInUse(e4.type);
    for (const e4 of this.storage) this._markStructsInUse(e4.type);
  }
  getFunctionInfo(e3) {
    for (const t2 of this.functions) if (t2.name == e3) return t2;
    return null;
  }
  getStructInfo(e3) {
    for (const t2 of this.structs) if (t2.name == e3) return t2;
    return null;
  }
  getOverrideInfo(e3) {
    for (const t2 of this.overrides) if (t2.name == e3) return t2;
    return null;
  }
  _markStructsInUse(e3) {
    if (e3) if (e3.isStruct) {
      if (e3.inUse = true, e3.members) for (const t2 of e3.members) this._markStructsInUse(t2.type);
    } else if (e3.isArray) this._markStructsInUse(e3.format);
    else if (e3.isTemplate) e3.format && this._markStructsInUse(e3.format);
    else {
      const t2 = this._getAlias(e3.name);
      t2 && this._markStructsInUse(t2);
    }
  }
  _addCalls(e3, t2) {
    var n2;
    for (const s2 of e3.calls) {
      const e4 = null === (n2 = this._functions.get(s2.name)) || void 0 === n2 ? void 0 : n2.info;
      e4 && t2.add(e4);
    }
  }
  findResource(e3, t2, n2) {
    if (n2) {
      for (const s2 of this.entry.compute) if (s2.name === n2) {
        for (const n3 of s2.resources) if (n3.group == e3 && n3.binding == t2) return n3;
      }
      for (const s2 of this.entry.vertex) if (s2.name === n2) {
        for (const n3 of s2.resources) if (n3.group == e3 && n3.binding == t2) return n3;
      }
      for (const s2 of this.entry.fragment) if (s2.name === n2) {
        for (const n3 of s2.resources) if (n3.group == e3 && n3.binding == t2) return n3;
      }
    }
    for (const n3 of this.uniforms) if (n3.group == e3 && n3.binding == t2) return n3;
    for (const n3 of this.storage) if (n3.group == e3 && n3.binding == t2) return n3;
    for (const n3 of this.textures) if (n3.group == e3 && n3.binding == t2) return n3;
    for (const n3 of this.samplers) if (n3.group == e3 && n3.binding == t2) return n3;
    return null;
  }
  _findResource(e3) {
    for (const t2 of this.uniforms) if (t2.name == e3) return t2;
    for (const t2 of this.storage) if (t2.name == e3) return t2;
    for (const t2 of this.textures) if (t2.name == e3) return t2;
    for (const t2 of this.samplers) if (t2.name == e3) return t2;
    return null;
  }
  _markStructsFromAST(e3) {
    const t2 = this.getTypeInfo(e3, null);
    this._markStructsInUse(t2);
  }
  _findResources(e3, t2) {
    const n2 = [], s2 = this, r2 = [];
    return e3.search((i2) => {
      if (i2 instanceof $) r2.push({});
      else if (i2 instanceof C) r2.pop();
      else if (i2 instanceof F) {
        const e4 = i2;
        t2 && null !== e4.type && this._markStructsFromAST(e4.type), r2.length > 0 && (r2[r2.length - 1][e4.name] = e4);
      } else if (i2 instanceof de) {
        const e4 = i2;
        t2 && null !== e4.type && this._markStructsFromAST(e4.type);
      } else if (i2 instanceof z) {
        const e4 = i2;
        t2 && null !== e4.type && this._markStructsFromAST(e4.type), r2.length > 0 && (r2[r2.length - 1][e4.name] = e4);
      } else if (i2 instanceof _e) {
        const e4 = i2;
        if (r2.length > 0) {
          if (r2[r2.length - 1][e4.name]) return;
        }
        const t3 = s2._findResource(e4.name);
        t3 && n2.push(t3);
      } else if (i2 instanceof me) {
        const r3 = i2, o2 = s2._functions.get(r3.name);
        if (o2 && (t2 && (o2.inUse = true), e3.calls.add(o2.node), o2.resources = s2._findResources(o2.node, t2), n2.push(...o2.resources)), "textureSample" === r3.name && r3.args.length >= 2) {
          const e4 = r3.args[0];
          let t3 = null;
          if (e4 instanceof _e) {
            const n4 = s2._findResource(e4.name);
            n4 && n4.resourceType === a.Texture && (t3 = n4);
          }
          const n3 = r3.args[1];
          let i3 = null;
          if (n3 instanceof _e) {
            const e5 = s2._findResource(n3.name);
            e5 && e5.resourceType === a.Sampler && (i3 = e5);
          }
          t3 && i3 && (null === t3.relations && (t3.relations = []), t3.relations.push(i3), null === i3.relations && (i3.relations = []), i3.relations.push(t3));
        }
      } else if (i2 instanceof X) {
        const r3 = i2, a2 = s2._functions.get(r3.name);
        a2 && (t2 && (a2.inUse = true), e3.calls.add(a2.node), a2.resources = s2._findResources(a2.node, t2), n2.push(...a2.resources));
      }
    }), [...new Map(n2.map((e4) => [e4.name, e4])).values()];
  }
  getBindGroups() {
    const e3 = [];
    function t2(t3, n2) {
      t3 >= e3.length && (e3.length = t3 + 1), void 0 === e3[t3] && (e3[t3] = []), n2 >= e3[t3].length && (e3[t3].length = n2 + 1);
    }
    for (const n2 of this.uniforms) {
      t2(n2.group, n2.binding);
      e3[n2.group][n2.binding] = n2;
    }
    for (const n2 of this.storage) {
      t2(n2.group, n2.binding);
      e3[n2.group][n2.binding] = n2;
    }
    for (const n2 of this.textures) {
      t2(n2.group, n2.binding);
      e3[n2.group][n2.binding] = n2;
    }
    for (const n2 of this.samplers) {
      t2(n2.group, n2.binding);
      e3[n2.group][n2.binding] = n2;
    }
    return e3;
  }
  _getOutputs(e3, t2 = void 0) {
    if (void 0 === t2 && (t2 = []), e3 instanceof oe) this._getStructOutputs(e3, t2);
    else {
      const n2 = this._getOutputInfo(e3);
      null !== n2 && t2.push(n2);
    }
    return t2;
  }
  _getStructOutputs(e3, t2) {
    for (const n2 of e3.members) if (n2.type instanceof oe) this._getStructOutputs(n2.type, t2);
    else {
      const e4 = this._getAttribute(n2, "location") || this._getAttribute(n2, "builtin");
      if (null !== e4) {
        const s2 = this.getTypeInfo(n2.type, n2.type.attributes), r2 = this._parseInt(e4.value), i2 = new c(n2.name, s2, e4.name, r2);
        t2.push(i2);
      }
    }
  }
  _getOutputInfo(e3) {
    const t2 = this._getAttribute(e3, "location") || this._getAttribute(e3, "builtin");
    if (null !== t2) {
      const n2 = this.getTypeInfo(e3, e3.attributes), s2 = this._parseInt(t2.value);
      return new c("", n2, t2.name, s2);
    }
    return null;
  }
  _getInputs(e3, t2 = void 0) {
    void 0 === t2 && (t2 = []);
    for (const n2 of e3) if (n2.type instanceof oe) this._getStructInputs(n2.type, t2);
    else {
      const e4 = this._getInputInfo(n2);
      null !== e4 && t2.push(e4);
    }
    return t2;
  }
  _getStructInputs(e3, t2) {
    for (const n2 of e3.members) if (n2.type instanceof oe) this._getStructInputs(n2.type, t2);
    else {
      const e4 = this._getInputInfo(n2);
      null !== e4 && t2.push(e4);
    }
  }
  _getInputInfo(e3) {
    const t2 = this._getAttribute(e3, "location") || this._getAttribute(e3, "builtin");
    if (null !== t2) {
      const n2 = this._getAttribute(e3, "interpolate"), s2 = this.getTypeInfo(e3.type, e3.attributes), r2 = this._parseInt(t2.value), i2 = new u(e3.name, s2, t2.name, r2);
      return null !== n2 && (i2.interpolation = this._parseString(n2.value)), i2;
    }
    return null;
  }
  _parseString(e3) {
    return e3 instanceof Array && (e3 = e3[0]), e3;
  }
  _parseInt(e3) {
    var t2;
    e3 instanceof Array && (e3 = e3[0]);
    const n2 = parseInt(e3);
    return isNaN(n2) ? null !== (t2 = this._constValues.get(e3)) && void 0 !== t2 ? t2 : e3 : n2;
  }
  _getAlias(e3) {
    for (const t2 of this.aliases) if (t2.name == e3) return t2.type;
    return null;
  }
  _getAliasInfo(e3) {
    return new l(e3.name, this.getTypeInfo(e3.type, null));
  }
  getTypeInfoByName(e3) {
    for (const t2 of this.structs) if (t2.name == e3) return t2;
    for (const t2 of this.aliases) if (t2.name == e3) return t2.type;
    return null;
  }
  getTypeInfo(a2, o2 = null) {
    var l2;
    if (this._types.has(a2)) return this._types.get(a2);
    if (a2 instanceof ue) {
      const e3 = a2.type ? this.getTypeInfo(a2.type, a2.attributes) : null, t2 = new r(a2.name, e3, o2);
      return this._types.set(a2, t2), this._updateTypeInfo(t2), t2;
    }
    if (a2 instanceof ce) {
      const e3 = a2, t2 = e3.format ? this.getTypeInfo(e3.format, e3.attributes) : null, n2 = new s(e3.name, o2);
      return n2.format = t2, n2.count = e3.count, this._types.set(a2, n2), this._updateTypeInfo(n2), n2;
    }
    if (a2 instanceof oe) {
      const e3 = a2, s2 = new n(e3.name, null !== (l2 = e3.attributes) && void 0 !== l2 ? l2 : o2);
      s2.startLine = e3.startLine, s2.endLine = e3.endLine;
      for (const n2 of e3.members) {
        const e4 = this.getTypeInfo(n2.type, n2.attributes);
        s2.members.push(new t(n2.name, e4, n2.attributes));
      }
      return this._types.set(a2, s2), this._updateTypeInfo(s2), s2;
    }
    if (a2 instanceof he) {
      const t2 = a2, n2 = t2.format instanceof ie, s2 = t2.format ? n2 ? this.getTypeInfo(t2.format, null) : new e(t2.format, null) : null, r2 = new i(t2.name, s2, o2, t2.access);
      return this._types.set(a2, r2), this._updateTypeInfo(r2), r2;
    }
    if (a2 instanceof le) {
      const e3 = a2, t2 = e3.format ? this.getTypeInfo(e3.format, null) : null, n2 = new i(e3.name, t2, o2, e3.access);
      return this._types.set(a2, n2), this._updateTypeInfo(n2), n2;
    }
    const u2 = new e(a2.name, o2);
    return this._types.set(a2, u2), this._updateTypeInfo(u2), u2;
  }
  _updateTypeInfo(e3) {
    var t2, i2, a2;
    const o2 = this._getTypeSize(e3);
    if (e3.size = null !== (t2 = null == o2 ? void 0 : o2.size) && void 0 !== t2 ? t2 : 0, e3 instanceof s && e3.format) {
      const t3 = this._getTypeSize(e3.format);
      e3.stride = Math.max(null !== (i2 = null == t3 ? void 0 : t3.size) && void 0 !== i2 ? i2 : 0, null !== (a2 = null == t3 ? void 0 : t3.align) && void 0 !== a2 ? a2 : 0), this._updateTypeInfo(e3.format);
    }
    e3 instanceof r && this._updateTypeInfo(e3.format), e3 instanceof n && this._updateStructInfo(e3);
  }
  _updateStructInfo(e3) {
    var t2;
    let n2 = 0, s2 = 0, r2 = 0, i2 = 0;
    for (let a2 = 0, o2 = e3.members.length; a2 < o2; ++a2) {
      const o3 = e3.members[a2], l2 = this._getTypeSize(o3);
      if (!l2) continue;
      null !== (t2 = this._getAlias(o3.type.name)) && void 0 !== t2 || o3.type;
      const u2 = l2.align, c2 = l2.size;
      n2 = this._roundUp(u2, n2 + s2), s2 = c2, r2 = n2, i2 = Math.max(i2, u2), o3.offset = n2, o3.size = c2, this._updateTypeInfo(o3.type);
    }
    e3.size = this._roundUp(i2, r2 + s2), e3.align = i2;
  }
  _getTypeSize(r2) {
    var i2, a2;
    if (null == r2) return null;
    const o2 = this._getAttributeNum(r2.attributes, "size", 0), l2 = this._getAttributeNum(r2.attributes, "align", 0);
    if (r2 instanceof t && (r2 = r2.type), r2 instanceof e) {
      const e3 = this._getAlias(r2.name);
      null !== e3 && (r2 = e3);
    }
    {
      const e3 = _ut._typeInfo[r2.name];
      if (void 0 !== e3) {
        const t2 = "f16" === (null === (i2 = r2.format) || void 0 === i2 ? void 0 : i2.name) ? 2 : 1;
        return new lt(Math.max(l2, e3.align / t2), Math.max(o2, e3.size / t2));
      }
    }
    {
      const e3 = _ut._typeInfo[r2.name.substring(0, r2.name.length - 1)];
      if (e3) {
        const t2 = "h" === r2.name[r2.name.length - 1] ? 2 : 1;
        return new lt(Math.max(l2, e3.align / t2), Math.max(o2, e3.size / t2));
      }
    }
    if (r2 instanceof s) {
      let e3 = r2, t2 = 8, n2 = 8;
      const s2 = this._getTypeSize(e3.format);
      null !== s2 && (n2 = s2.size, t2 = s2.align);
      return n2 = e3.count * this._getAttributeNum(null !== (a2 = null == r2 ? void 0 : r2.attributes) && void 0 !== a2 ? a2 : null, "stride", this._roundUp(t2, n2)), o2 && (n2 = o2), new lt(Math.max(l2, t2), Math.max(o2, n2));
    }
    if (r2 instanceof n) {
      let e3 = 0, t2 = 0, n2 = 0, s2 = 0, i3 = 0;
      for (const t3 of r2.members) {
        const r3 = this._getTypeSize(t3.type);
        null !== r3 && (e3 = Math.max(r3.align, e3), n2 = this._roundUp(r3.align, n2 + s2), s2 = r3.size, i3 = n2);
      }
      return t2 = this._roundUp(e3, i3 + s2), new lt(Math.max(l2, e3), Math.max(o2, t2));
    }
    return null;
  }
  _isUniformVar(e3) {
    return e3 instanceof F && "uniform" == e3.storage;
  }
  _isImmediateVar(e3) {
    return e3 instanceof F && "immediate" == e3.storage;
  }
  _isStorageVar(e3) {
    return e3 instanceof F && "storage" == e3.storage;
  }
  _isTextureVar(e3) {
    return e3 instanceof F && null !== e3.type && -1 != _ut._textureTypes.indexOf(e3.type.name);
  }
  _isSamplerVar(e3) {
    return e3 instanceof F && null !== e3.type && -1 != _ut._samplerTypes.indexOf(e3.type.name);
  }
  _getAttribute(e3, t2) {
    const n2 = e3;
    if (!n2 || !n2.attributes) return null;
    const s2 = n2.attributes;
    for (let e4 of s2) if (e4.name == t2) return e4;
    return null;
  }
  _getAttributeNum(e3, t2, n2) {
    var s2;
    if (null === e3) return n2;
    for (let r2 of e3) if (r2.name == t2) {
      let e4 = null !== r2 && null !== r2.value ? r2.value : n2;
      if (e4 instanceof Array && (e4 = e4[0]), "number" == typeof e4) return e4;
      if ("string" == typeof e4) {
        const t3 = parseInt(e4);
        return isNaN(t3) ? null !== (s2 = this._constValues.get(e4)) && void 0 !== s2 ? s2 : n2 : t3;
      }
      return n2;
    }
    return n2;
  }
  _roundUp(e3, t2) {
    return Math.ceil(t2 / e3) * e3;
  }
};
ut._typeInfo = { f16: { align: 2, size: 2 }, i32: { align: 4, size: 4 }, u32: { align: 4, size: 4 }, f32: { align: 4, size: 4 }, atomic: { align: 4, size: 4 }, vec2: { align: 8, size: 8 }, vec3: { align: 16, size: 12 }, vec4: { align: 16, size: 16 }, mat2x2: { align: 8, size: 16 }, mat3x2: { align: 8, size: 24 }, mat4x2: { align: 8, size: 32 }, mat2x3: { align: 16, size: 32 }, mat3x3: { align: 16, size: 48 }, mat4x3: { align: 16, size: 64 }, mat2x4: { align: 16, size: 32 }, mat3x4: { align: 16, size: 48 }, mat4x4: { align: 16, size: 64 } }, ut._textureTypes = He.any_texture_type.map((e3) => e3.name), ut._samplerTypes = He.sampler_type.map((e3) => e3.name);
var ct = 0;
var ht = class _ht {
  constructor(e3, t2, n2) {
    this.id = ct++, this.name = e3, this.value = t2, this.node = n2;
  }
  clone() {
    return new _ht(this.name, this.value, this.node);
  }
};
var ft = class _ft {
  constructor(e3) {
    this.id = ct++, this.name = e3.name, this.node = e3;
  }
  clone() {
    return new _ft(this.node);
  }
};
var pt = class _pt {
  constructor(e3) {
    this.parent = null, this.variables = /* @__PURE__ */ new Map(), this.functions = /* @__PURE__ */ new Map(), this.derivatives = /* @__PURE__ */ new Map(), this.currentFunctionName = "", this.id = ct++, e3 && (this.parent = e3, this.currentFunctionName = e3.currentFunctionName);
  }
  setDerivative(e3, t2) {
    this.derivatives.set(e3, t2);
  }
  getDerivative(e3) {
    var t2;
    return this.derivatives.has(e3) ? null !== (t2 = this.derivatives.get(e3)) && void 0 !== t2 ? t2 : null : this.parent ? this.parent.getDerivative(e3) : null;
  }
  clearDerivative(e3) {
    this.derivatives.has(e3) ? this.derivatives.delete(e3) : this.parent && this.parent.clearDerivative(e3);
  }
  getVariable(e3) {
    var t2;
    return this.variables.has(e3) ? null !== (t2 = this.variables.get(e3)) && void 0 !== t2 ? t2 : null : this.parent ? this.parent.getVariable(e3) : null;
  }
  getFunction(e3) {
    var t2;
    return this.functions.has(e3) ? null !== (t2 = this.functions.get(e3)) && void 0 !== t2 ? t2 : null : this.parent ? this.parent.getFunction(e3) : null;
  }
  createVariable(e3, t2, n2) {
    this.variables.set(e3, new ht(e3, t2, null != n2 ? n2 : null));
  }
  setVariable(e3, t2, n2) {
    const s2 = this.getVariable(e3);
    null !== s2 ? s2.value = t2 : this.createVariable(e3, t2, n2);
  }
  getVariableValue(e3) {
    var t2;
    const n2 = this.getVariable(e3);
    return null !== (t2 = null == n2 ? void 0 : n2.value) && void 0 !== t2 ? t2 : null;
  }
  clone() {
    return new _pt(this);
  }
};
var dt = class {
  evalExpression(e3, t2) {
    return null;
  }
  getTypeInfo(e3) {
    return null;
  }
  getVariableName(e3, t2) {
    return "";
  }
};
function mt(e3, t2, n2) {
  const s2 = Math.abs(e3), r2 = Math.abs(t2), i2 = Math.abs(n2);
  let a2, o2, l2, u2;
  return s2 >= r2 && s2 >= i2 ? (a2 = e3 > 0 ? 0 : 1, o2 = e3 > 0 ? -n2 : n2, l2 = -t2, u2 = s2) : r2 >= i2 ? (a2 = t2 > 0 ? 2 : 3, o2 = e3, l2 = t2 > 0 ? n2 : -n2, u2 = r2) : (a2 = n2 > 0 ? 4 : 5, o2 = n2 > 0 ? e3 : -e3, l2 = -t2, u2 = i2), 0 === u2 ? { face: a2, u: 0.5, v: 0.5 } : { face: a2, u: 0.5 * (o2 / u2 + 1), v: 0.5 * (l2 / u2 + 1) };
}
var _t = class __t {
  constructor(e3) {
    this.exec = e3;
  }
  getTypeInfo(e3) {
    return this.exec.getTypeInfo(e3);
  }
  All(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    let s2 = true;
    if (n2 instanceof ze) return n2.data.forEach((e4) => {
      e4 || (s2 = false);
    }), new Fe(s2 ? 1 : 0, this.getTypeInfo("bool"));
    throw new Error(`All() expects a vector argument. Line ${e3.line}`);
  }
  Any(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) {
      const e4 = n2.data.some((e5) => e5);
      return new Fe(e4 ? 1 : 0, this.getTypeInfo("bool"));
    }
    throw new Error(`Any() expects a vector argument. Line ${e3.line}`);
  }
  Select(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[2], t2);
    if (n2 instanceof ze) {
      const s2 = this.exec.evalExpression(e3.args[0], t2), r2 = this.exec.evalExpression(e3.args[1], t2);
      if (!(s2 instanceof ze && r2 instanceof ze)) throw new Error(`Select() with a vector condition expects vector values. Line ${e3.line}`);
      return new ze(n2.data.map((e4, t3) => e4 ? r2.data[t3] : s2.data[t3]), s2.typeInfo);
    }
    if (!(n2 instanceof Fe)) throw new Error(`Select() expects a bool condition. Line ${e3.line}`);
    return n2.value ? this.exec.evalExpression(e3.args[1], t2) : this.exec.evalExpression(e3.args[0], t2);
  }
  ArrayLength(e3, t2) {
    let n2 = e3.args[0];
    n2 instanceof ke && (n2 = n2.right);
    const s2 = this.exec.evalExpression(n2, t2);
    if (s2 instanceof We && 0 === s2.typeInfo.size) {
      const e4 = s2.typeInfo, t3 = s2.buffer.byteLength / e4.stride;
      return new Fe(t3, this.getTypeInfo("u32"));
    }
    return new Fe(s2.typeInfo.size, this.getTypeInfo("u32"));
  }
  Abs(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.abs(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.abs(s2.value), s2.typeInfo);
  }
  Acos(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.acos(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.acos(s2.value), n2.typeInfo);
  }
  Acosh(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.acosh(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.acosh(s2.value), n2.typeInfo);
  }
  Asin(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.asin(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.asin(s2.value), n2.typeInfo);
  }
  Asinh(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.asinh(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.asinh(s2.value), n2.typeInfo);
  }
  Atan(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.atan(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.atan(s2.value), n2.typeInfo);
  }
  Atanh(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.atanh(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.atanh(s2.value), n2.typeInfo);
  }
  Atan2(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = this.exec.evalExpression(e3.args[1], t2);
    if (n2 instanceof ze && s2 instanceof ze) return new ze(n2.data.map((e4, t3) => Math.atan2(e4, s2.data[t3])), n2.typeInfo);
    const r2 = n2, i2 = s2;
    return new Fe(Math.atan2(r2.value, i2.value), n2.typeInfo);
  }
  Ceil(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.ceil(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.ceil(s2.value), n2.typeInfo);
  }
  _clamp(e3, t2, n2) {
    return Math.min(Math.max(e3, t2), n2);
  }
  Clamp(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = this.exec.evalExpression(e3.args[1], t2), r2 = this.exec.evalExpression(e3.args[2], t2);
    if (n2 instanceof ze && s2 instanceof ze && r2 instanceof ze) return new ze(n2.data.map((e4, t3) => this._clamp(e4, s2.data[t3], r2.data[t3])), n2.typeInfo);
    const i2 = n2, a2 = s2, o2 = r2;
    return new Fe(this._clamp(i2.value, a2.value, o2.value), n2.typeInfo);
  }
  Cos(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.cos(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.cos(s2.value), n2.typeInfo);
  }
  Cosh(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.cosh(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.cos(s2.value), n2.typeInfo);
  }
  CountLeadingZeros(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.clz32(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.clz32(s2.value), n2.typeInfo);
  }
  _countOneBits(e3) {
    let t2 = 0;
    for (; 0 !== e3; ) 1 & e3 && t2++, e3 >>= 1;
    return t2;
  }
  CountOneBits(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => this._countOneBits(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(this._countOneBits(s2.value), n2.typeInfo);
  }
  _countTrailingZeros(e3) {
    if (0 === e3) return 32;
    let t2 = 0;
    for (; !(1 & e3); ) e3 >>= 1, t2++;
    return t2;
  }
  CountTrailingZeros(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => this._countTrailingZeros(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(this._countTrailingZeros(s2.value), n2.typeInfo);
  }
  Cross(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = this.exec.evalExpression(e3.args[1], t2);
    if (n2 instanceof ze && s2 instanceof ze) {
      if (3 !== n2.data.length || 3 !== s2.data.length) return console.error(`Cross() expects 3D vectors. Line ${e3.line}`), null;
      const t3 = n2.data, r2 = s2.data;
      return new ze([t3[1] * r2[2] - r2[1] * t3[2], t3[2] * r2[0] - r2[2] * t3[0], t3[0] * r2[1] - r2[0] * t3[1]], n2.typeInfo);
    }
    return console.error(`Cross() expects vector arguments. Line ${e3.line}`), null;
  }
  Degrees(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = 180 / Math.PI;
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => e4 * s2), n2.typeInfo);
    return new Fe(n2.value * s2, this.getTypeInfo("f32"));
  }
  Determinant(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof Pe) {
      const t3 = n2.data, s2 = n2.typeInfo.getTypeName(), r2 = s2.endsWith("h") ? this.getTypeInfo("f16") : this.getTypeInfo("f32");
      if ("mat2x2" === s2 || "mat2x2f" === s2 || "mat2x2h" === s2) return new Fe(t3[0] * t3[3] - t3[1] * t3[2], r2);
      if ("mat3x3" === s2 || "mat3x3f" === s2 || "mat3x3h" === s2) return new Fe(t3[0] * (t3[4] * t3[8] - t3[5] * t3[7]) - t3[1] * (t3[3] * t3[8] - t3[5] * t3[6]) + t3[2] * (t3[3] * t3[7] - t3[4] * t3[6]), r2);
      if ("mat4x4" === s2 || "mat4x4f" === s2 || "mat4x4h" === s2) {
        const e4 = t3[0], n3 = t3[1], s3 = t3[2], i2 = t3[3], a2 = t3[4], o2 = t3[5], l2 = t3[6], u2 = t3[7], c2 = t3[8], h2 = t3[9], f2 = t3[10], p2 = t3[11], d2 = t3[12], m3 = t3[13], _2 = t3[14], g2 = t3[15];
        return new Fe((e4 * o2 - a2 * n3) * (f2 * g2 - _2 * p2) - (e4 * l2 - a2 * s3) * (h2 * g2 - m3 * p2) + (e4 * u2 - a2 * i2) * (h2 * _2 - m3 * f2) + (n3 * l2 - o2 * s3) * (c2 * g2 - d2 * p2) - (n3 * u2 - o2 * i2) * (c2 * _2 - d2 * f2) + (s3 * u2 - l2 * i2) * (c2 * m3 - d2 * h2), r2);
      }
      return console.error(`Determinant: unsupported matrix type ${s2}. Line ${e3.line}`), null;
    }
    return console.error(`Determinant expects a matrix argument. Line ${e3.line}`), null;
  }
  Distance(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = this.exec.evalExpression(e3.args[1], t2);
    if (n2 instanceof ze && s2 instanceof ze) {
      let e4 = 0;
      for (let t3 = 0; t3 < n2.data.length; ++t3) e4 += (n2.data[t3] - s2.data[t3]) * (n2.data[t3] - s2.data[t3]);
      return new Fe(Math.sqrt(e4), this.getTypeInfo("f32"));
    }
    const r2 = n2, i2 = s2;
    return new Fe(Math.abs(r2.value - i2.value), n2.typeInfo);
  }
  _dot(e3, t2) {
    let n2 = 0;
    for (let s2 = 0; s2 < e3.length; ++s2) n2 += t2[s2] * e3[s2];
    return n2;
  }
  Dot(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = this.exec.evalExpression(e3.args[1], t2);
    return n2 instanceof ze && s2 instanceof ze ? new Fe(this._dot(n2.data, s2.data), this.getTypeInfo("f32")) : (console.error(`Dot() expects vector arguments. Line ${e3.line}`), null);
  }
  Dot4U8Packed(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = this.exec.evalExpression(e3.args[1], t2), r2 = n2.value >>> 0, i2 = s2.value >>> 0;
    let a2 = 0;
    for (let e4 = 0; e4 < 4; ++e4) a2 += (r2 >>> 8 * e4 & 255) * (i2 >>> 8 * e4 & 255);
    return new Fe(a2 >>> 0, this.getTypeInfo("u32"));
  }
  Dot4I8Packed(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = this.exec.evalExpression(e3.args[1], t2), r2 = n2.value >>> 0, i2 = s2.value >>> 0, a2 = (e4) => 128 & e4 ? e4 - 256 : e4;
    let o2 = 0;
    for (let e4 = 0; e4 < 4; ++e4) o2 += a2(r2 >>> 8 * e4 & 255) * a2(i2 >>> 8 * e4 & 255);
    return new Fe(0 | o2, this.getTypeInfo("i32"));
  }
  Exp(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.exp(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.exp(s2.value), n2.typeInfo);
  }
  Exp2(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.pow(2, e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.pow(2, s2.value), n2.typeInfo);
  }
  ExtractBits(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = this.exec.evalExpression(e3.args[1], t2), r2 = this.exec.evalExpression(e3.args[2], t2);
    if ("u32" !== s2.typeInfo.name && "x32" !== s2.typeInfo.name) return console.error(`ExtractBits() expects an i32 offset argument. Line ${e3.line}`), null;
    if ("u32" !== r2.typeInfo.name && "x32" !== r2.typeInfo.name) return console.error(`ExtractBits() expects an i32 count argument. Line ${e3.line}`), null;
    const i2 = s2.value, a2 = r2.value;
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => e4 >> i2 & (1 << a2) - 1), n2.typeInfo);
    if ("i32" !== n2.typeInfo.name && "x32" !== n2.typeInfo.name) return console.error(`ExtractBits() expects an i32 argument. Line ${e3.line}`), null;
    const o2 = n2.value;
    return new Fe(o2 >> i2 & (1 << a2) - 1, this.getTypeInfo("i32"));
  }
  FaceForward(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = this.exec.evalExpression(e3.args[1], t2), r2 = this.exec.evalExpression(e3.args[2], t2);
    if (n2 instanceof ze && s2 instanceof ze && r2 instanceof ze) {
      const e4 = this._dot(s2.data, r2.data);
      return new ze(e4 < 0 ? Array.from(n2.data) : n2.data.map((e5) => -e5), n2.typeInfo);
    }
    return console.error(`FaceForward() expects vector arguments. Line ${e3.line}`), null;
  }
  _firstLeadingBit(e3) {
    return 0 === e3 ? -1 : 31 - Math.clz32(e3);
  }
  FirstLeadingBit(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => this._firstLeadingBit(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(this._firstLeadingBit(s2.value), n2.typeInfo);
  }
  _firstTrailingBit(e3) {
    return 0 === e3 ? -1 : Math.log2(e3 & -e3);
  }
  FirstTrailingBit(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => this._firstTrailingBit(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(this._firstTrailingBit(s2.value), n2.typeInfo);
  }
  Floor(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.floor(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.floor(s2.value), n2.typeInfo);
  }
  Fma(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = this.exec.evalExpression(e3.args[1], t2), r2 = this.exec.evalExpression(e3.args[2], t2);
    if (n2 instanceof ze && s2 instanceof ze && r2 instanceof ze) return n2.data.length !== s2.data.length || n2.data.length !== r2.data.length ? (console.error(`Fma() expects vectors of the same length. Line ${e3.line}`), null) : new ze(n2.data.map((e4, t3) => e4 * s2.data[t3] + r2.data[t3]), n2.typeInfo);
    const i2 = n2, a2 = s2, o2 = r2;
    return new Fe(i2.value * a2.value + o2.value, i2.typeInfo);
  }
  Fract(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => e4 - Math.floor(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(s2.value - Math.floor(s2.value), n2.typeInfo);
  }
  Frexp(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = (e4) => {
      if (0 === e4 || !isFinite(e4) || isNaN(e4)) return e4;
      const t3 = Math.floor(Math.log2(Math.abs(e4))) + 1;
      return e4 / Math.pow(2, t3);
    };
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => s2(e4)), n2.typeInfo);
    return new Fe(s2(n2.value), n2.typeInfo);
  }
  InsertBits(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = this.exec.evalExpression(e3.args[1], t2), r2 = this.exec.evalExpression(e3.args[2], t2), i2 = this.exec.evalExpression(e3.args[3], t2);
    if ("u32" !== r2.typeInfo.name && "x32" !== r2.typeInfo.name) return console.error(`InsertBits() expects an i32 offset argument. Line ${e3.line}`), null;
    const a2 = r2.value, o2 = (1 << i2.value) - 1 << a2, l2 = ~o2;
    if (n2 instanceof ze && s2 instanceof ze) return new ze(n2.data.map((e4, t3) => e4 & l2 | s2.data[t3] << a2 & o2), n2.typeInfo);
    const u2 = n2.value, c2 = s2.value;
    return new Fe(u2 & l2 | c2 << a2 & o2, n2.typeInfo);
  }
  InverseSqrt(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => 1 / Math.sqrt(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(1 / Math.sqrt(s2.value), n2.typeInfo);
  }
  Ldexp(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = this.exec.evalExpression(e3.args[1], t2);
    if (n2 instanceof ze && s2 instanceof ze) return new ze(n2.data.map((e4, t3) => e4 * Math.pow(2, s2.data[t3])), n2.typeInfo);
    const r2 = s2;
    return new Fe(n2.value * Math.pow(2, r2.value), n2.typeInfo);
  }
  Length(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) {
      let e4 = 0;
      return n2.data.forEach((t3) => {
        e4 += t3 * t3;
      }), new Fe(Math.sqrt(e4), this.getTypeInfo("f32"));
    }
    const s2 = n2;
    return new Fe(Math.abs(s2.value), n2.typeInfo);
  }
  Log(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.log(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.log(s2.value), n2.typeInfo);
  }
  Log2(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.log2(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.log2(s2.value), n2.typeInfo);
  }
  Max(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = this.exec.evalExpression(e3.args[1], t2);
    if (n2 instanceof ze && s2 instanceof ze) return new ze(n2.data.map((e4, t3) => Math.max(e4, s2.data[t3])), n2.typeInfo);
    const r2 = n2, i2 = s2;
    return new Fe(Math.max(r2.value, i2.value), n2.typeInfo);
  }
  Min(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = this.exec.evalExpression(e3.args[1], t2);
    if (n2 instanceof ze && s2 instanceof ze) return new ze(n2.data.map((e4, t3) => Math.min(e4, s2.data[t3])), n2.typeInfo);
    const r2 = n2, i2 = s2;
    return new Fe(Math.min(r2.value, i2.value), n2.typeInfo);
  }
  Mix(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = this.exec.evalExpression(e3.args[1], t2), r2 = this.exec.evalExpression(e3.args[2], t2);
    if (null === n2 || null === s2 || null === r2) return console.error(`Mix: invalid arguments. Line ${e3.line}`), null;
    if (n2 instanceof ze && s2 instanceof ze) {
      if (r2 instanceof ze) return new ze(n2.data.map((e5, t3) => n2.data[t3] * (1 - r2.data[t3]) + s2.data[t3] * r2.data[t3]), n2.typeInfo);
      const e4 = r2.value;
      return new ze(n2.data.map((t3, r3) => n2.data[r3] * (1 - e4) + s2.data[r3] * e4), n2.typeInfo);
    }
    const i2 = s2, a2 = r2;
    return new Fe(n2.value * (1 - a2.value) + i2.value * a2.value, n2.typeInfo);
  }
  Modf(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = this.exec.evalExpression(e3.args[1], t2);
    if (n2 instanceof ze && s2 instanceof ze) return new ze(n2.data.map((e4, t3) => e4 % s2.data[t3]), n2.typeInfo);
    const r2 = s2;
    return new Fe(n2.value % r2.value, n2.typeInfo);
  }
  Normalize(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) {
      const s2 = this.Length(e3, t2).value;
      return new ze(n2.data.map((e4) => e4 / s2), n2.typeInfo);
    }
    return console.error(`Normalize() expects a vector argument. Line ${e3.line}`), null;
  }
  Pow(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = this.exec.evalExpression(e3.args[1], t2);
    if (n2 instanceof ze && s2 instanceof ze) return new ze(n2.data.map((e4, t3) => Math.pow(e4, s2.data[t3])), n2.typeInfo);
    const r2 = n2, i2 = s2;
    return new Fe(Math.pow(r2.value, i2.value), n2.typeInfo);
  }
  QuantizeToF16(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = (e4) => __t._f16BitsToF32(__t._f32ToF16Bits(e4));
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => s2(e4)), n2.typeInfo);
    return new Fe(s2(n2.value), n2.typeInfo);
  }
  Radians(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => e4 * Math.PI / 180), n2.typeInfo);
    return new Fe(n2.value * Math.PI / 180, this.getTypeInfo("f32"));
  }
  Reflect(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = this.exec.evalExpression(e3.args[1], t2);
    if (n2 instanceof ze && s2 instanceof ze) {
      const e4 = this._dot(n2.data, s2.data);
      return new ze(n2.data.map((t3, n3) => t3 - 2 * e4 * s2.data[n3]), n2.typeInfo);
    }
    return console.error(`Reflect() expects vector arguments. Line ${e3.line}`), null;
  }
  Refract(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = this.exec.evalExpression(e3.args[1], t2), r2 = this.exec.evalExpression(e3.args[2], t2);
    if (n2 instanceof ze && s2 instanceof ze && r2 instanceof Fe) {
      const e4 = this._dot(s2.data, n2.data);
      return new ze(n2.data.map((t3, n3) => {
        const i2 = 1 - r2.value * r2.value * (1 - e4 * e4);
        if (i2 < 0) return 0;
        const a2 = Math.sqrt(i2);
        return r2.value * t3 - (r2.value * e4 + a2) * s2.data[n3];
      }), n2.typeInfo);
    }
    return console.error(`Refract() expects vector arguments and a scalar argument. Line ${e3.line}`), null;
  }
  ReverseBits(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = (e4) => {
      let t3 = e4 >>> 0;
      return t3 = (1431655765 & t3) << 1 | t3 >>> 1 & 1431655765, t3 = (858993459 & t3) << 2 | t3 >>> 2 & 858993459, t3 = (252645135 & t3) << 4 | t3 >>> 4 & 252645135, t3 = (16711935 & t3) << 8 | t3 >>> 8 & 16711935, (t3 << 16 | t3 >>> 16) >>> 0;
    };
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => s2(e4)), n2.typeInfo);
    return new Fe(s2(n2.value), n2.typeInfo);
  }
  Round(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.round(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.round(s2.value), n2.typeInfo);
  }
  Saturate(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.min(Math.max(e4, 0), 1)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.min(Math.max(s2.value, 0), 1), n2.typeInfo);
  }
  Sign(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.sign(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.sign(s2.value), n2.typeInfo);
  }
  Sin(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.sin(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.sin(s2.value), n2.typeInfo);
  }
  Sinh(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.sinh(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.sinh(s2.value), n2.typeInfo);
  }
  _smoothstep(e3, t2, n2) {
    const s2 = Math.min(Math.max((n2 - e3) / (t2 - e3), 0), 1);
    return s2 * s2 * (3 - 2 * s2);
  }
  SmoothStep(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = this.exec.evalExpression(e3.args[1], t2), r2 = this.exec.evalExpression(e3.args[2], t2);
    if (r2 instanceof ze && n2 instanceof ze && s2 instanceof ze) return new ze(r2.data.map((e4, t3) => this._smoothstep(n2.data[t3], s2.data[t3], e4)), r2.typeInfo);
    const i2 = n2, a2 = s2, o2 = r2;
    return new Fe(this._smoothstep(i2.value, a2.value, o2.value), r2.typeInfo);
  }
  Sqrt(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.sqrt(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.sqrt(s2.value), n2.typeInfo);
  }
  Step(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2), s2 = this.exec.evalExpression(e3.args[1], t2);
    if (s2 instanceof ze && n2 instanceof ze) return new ze(s2.data.map((e4, t3) => e4 < n2.data[t3] ? 0 : 1), s2.typeInfo);
    const r2 = n2;
    return new Fe(s2.value < r2.value ? 0 : 1, r2.typeInfo);
  }
  Tan(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.tan(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.tan(s2.value), n2.typeInfo);
  }
  Tanh(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.tanh(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.tanh(s2.value), n2.typeInfo);
  }
  _getTransposeType(e3) {
    const t2 = e3.getTypeName();
    return "mat2x2f" === t2 || "mat2x2h" === t2 ? e3 : "mat2x3f" === t2 ? this.getTypeInfo("mat3x2f") : "mat2x3h" === t2 ? this.getTypeInfo("mat3x2h") : "mat2x4f" === t2 ? this.getTypeInfo("mat4x2f") : "mat2x4h" === t2 ? this.getTypeInfo("mat4x2h") : "mat3x2f" === t2 ? this.getTypeInfo("mat2x3f") : "mat3x2h" === t2 ? this.getTypeInfo("mat2x3h") : "mat3x3f" === t2 || "mat3x3h" === t2 ? e3 : "mat3x4f" === t2 ? this.getTypeInfo("mat4x3f") : "mat3x4h" === t2 ? this.getTypeInfo("mat4x3h") : "mat4x2f" === t2 ? this.getTypeInfo("mat2x4f") : "mat4x2h" === t2 ? this.getTypeInfo("mat2x4h") : "mat4x3f" === t2 ? this.getTypeInfo("mat3x4f") : "mat4x3h" === t2 ? this.getTypeInfo("mat3x4h") : ("mat4x4f" === t2 || "mat4x4h" === t2 || console.error(`Invalid matrix type ${t2}`), e3);
  }
  Transpose(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (!(n2 instanceof Pe)) return console.error(`Transpose() expects a matrix argument. Line ${e3.line}`), null;
    const s2 = this._getTransposeType(n2.typeInfo);
    if ("mat2x2" === n2.typeInfo.name || "mat2x2f" === n2.typeInfo.name || "mat2x2h" === n2.typeInfo.name) {
      const e4 = n2.data;
      return new Pe([e4[0], e4[2], e4[1], e4[3]], s2);
    }
    if ("mat2x3" === n2.typeInfo.name || "mat2x3f" === n2.typeInfo.name || "mat2x3h" === n2.typeInfo.name) {
      const e4 = n2.data;
      return new Pe([e4[0], e4[3], e4[6], e4[1], e4[4], e4[7]], s2);
    }
    if ("mat2x4" === n2.typeInfo.name || "mat2x4f" === n2.typeInfo.name || "mat2x4h" === n2.typeInfo.name) {
      const e4 = n2.data;
      return new Pe([e4[0], e4[4], e4[8], e4[12], e4[1], e4[5], e4[9], e4[13]], s2);
    }
    if ("mat3x2" === n2.typeInfo.name || "mat3x2f" === n2.typeInfo.name || "mat3x2h" === n2.typeInfo.name) {
      const e4 = n2.data;
      return new Pe([e4[0], e4[3], e4[1], e4[4], e4[2], e4[5]], s2);
    }
    if ("mat3x3" === n2.typeInfo.name || "mat3x3f" === n2.typeInfo.name || "mat3x3h" === n2.typeInfo.name) {
      const e4 = n2.data;
      return new Pe([e4[0], e4[3], e4[6], e4[1], e4[4], e4[7], e4[2], e4[5], e4[8]], s2);
    }
    if ("mat3x4" === n2.typeInfo.name || "mat3x4f" === n2.typeInfo.name || "mat3x4h" === n2.typeInfo.name) {
      const e4 = n2.data;
      return new Pe([e4[0], e4[4], e4[8], e4[12], e4[1], e4[5], e4[9], e4[13], e4[2], e4[6], e4[10], e4[14]], s2);
    }
    if ("mat4x2" === n2.typeInfo.name || "mat4x2f" === n2.typeInfo.name || "mat4x2h" === n2.typeInfo.name) {
      const e4 = n2.data;
      return new Pe([e4[0], e4[4], e4[1], e4[5], e4[2], e4[6]], s2);
    }
    if ("mat4x3" === n2.typeInfo.name || "mat4x3f" === n2.typeInfo.name || "mat4x3h" === n2.typeInfo.name) {
      const e4 = n2.data;
      return new Pe([e4[0], e4[4], e4[8], e4[1], e4[5], e4[9], e4[2], e4[6], e4[10]], s2);
    }
    if ("mat4x4" === n2.typeInfo.name || "mat4x4f" === n2.typeInfo.name || "mat4x4h" === n2.typeInfo.name) {
      const e4 = n2.data;
      return new Pe([e4[0], e4[4], e4[8], e4[12], e4[1], e4[5], e4[9], e4[13], e4[2], e4[6], e4[10], e4[14], e4[3], e4[7], e4[11], e4[15]], s2);
    }
    return console.error(`Invalid matrix type ${n2.typeInfo.name}`), null;
  }
  Trunc(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (n2 instanceof ze) return new ze(n2.data.map((e4) => Math.trunc(e4)), n2.typeInfo);
    const s2 = n2;
    return new Fe(Math.trunc(s2.value), n2.typeInfo);
  }
  _derivative(e3, t2) {
    const n2 = t2.getDerivative(e3);
    if (null !== n2) return t2.clearDerivative(e3), n2;
    const s2 = this.exec.evalExpression(e3.args[0], t2);
    return s2 instanceof ze ? new ze(Array.from(s2.data, () => 0), s2.typeInfo) : s2 instanceof Fe ? new Fe(0, s2.typeInfo) : s2;
  }
  Dpdx(e3, t2) {
    return this._derivative(e3, t2);
  }
  DpdxCoarse(e3, t2) {
    return this._derivative(e3, t2);
  }
  DpdxFine(e3, t2) {
    return this._derivative(e3, t2);
  }
  Dpdy(e3, t2) {
    return this._derivative(e3, t2);
  }
  DpdyCoarse(e3, t2) {
    return this._derivative(e3, t2);
  }
  DpdyFine(e3, t2) {
    return this._derivative(e3, t2);
  }
  Fwidth(e3, t2) {
    return this._derivative(e3, t2);
  }
  FwidthCoarse(e3, t2) {
    return this._derivative(e3, t2);
  }
  FwidthFine(e3, t2) {
    return this._derivative(e3, t2);
  }
  TextureDimensions(e3, t2) {
    const n2 = e3.args[0], s2 = e3.args.length > 1 ? this.exec.evalExpression(e3.args[1], t2).value : 0;
    if (n2 instanceof _e) {
      const r2 = n2.name, i2 = t2.getVariableValue(r2);
      if (i2 instanceof Oe) {
        if (s2 < 0 || s2 >= i2.mipLevelCount) return console.error(`Invalid mip level for textureDimensions. Line ${e3.line}`), null;
        const t3 = i2.getMipLevelSize(s2), n3 = i2.dimension;
        return "1d" === n3 ? new Fe(t3[0], this.getTypeInfo("u32")) : "3d" === n3 ? new ze(t3, this.getTypeInfo("vec3u")) : "2d" === n3 ? new ze(t3.slice(0, 2), this.getTypeInfo("vec2u")) : (console.error(`Invalid texture dimension ${n3} not found. Line ${e3.line}`), null);
      }
      return console.error(`Texture ${r2} not found. Line ${e3.line}`), null;
    }
    return console.error(`Invalid texture argument for textureDimensions. Line ${e3.line}`), null;
  }
  _gatherTexels(e3, t2, n2, s2, r2) {
    var i2, a2, o2;
    const l2 = null !== (i2 = null == r2 ? void 0 : r2.descriptor) && void 0 !== i2 ? i2 : {}, u2 = null !== (a2 = l2.addressModeU) && void 0 !== a2 ? a2 : "clamp-to-edge", c2 = null !== (o2 = l2.addressModeV) && void 0 !== o2 ? o2 : "clamp-to-edge", h2 = e3.getMipLevelSize(0), f2 = Math.max(1, h2[0]), p2 = Math.max(1, h2[1]), d2 = Math.floor(t2 * f2 - 0.5), m3 = Math.floor(n2 * p2 - 0.5), _2 = (t3, n3) => this._texel(e3, t3, n3, s2, 0, u2, c2);
    return [_2(d2, m3 + 1), _2(d2 + 1, m3 + 1), _2(d2 + 1, m3), _2(d2, m3)];
  }
  _gatherResultType(e3) {
    var t2;
    if (e3.typeInfo.name.includes("depth")) return this.getTypeInfo("vec4f");
    const n2 = null === (t2 = e3.typeInfo.format) || void 0 === t2 ? void 0 : t2.name;
    return "u32" === n2 ? this.getTypeInfo("vec4u") : "i32" === n2 ? this.getTypeInfo("vec4i") : this.getTypeInfo("vec4f");
  }
  TextureGather(e3, t2) {
    const n2 = null !== this._resolveTexture(e3.args[0], t2);
    let s2 = 0;
    if (!n2) {
      const n3 = this.exec.evalExpression(e3.args[0], t2);
      n3 instanceof Fe && (s2 = Math.floor(n3.value));
    }
    const r2 = n2 ? 0 : 1, i2 = this._sampleArgs(e3, t2, r2 + 2, r2);
    if (null === i2) return null;
    const a2 = this._resolveSampler(e3.args[r2 + 1], t2), o2 = this._gatherTexels(i2.texture, i2.u, i2.v, i2.layer, a2), l2 = Math.max(0, Math.min(s2, 3));
    return new ze(o2.map((e4) => e4[l2]), this._gatherResultType(i2.texture));
  }
  TextureGatherCompare(e3, t2) {
    var n2;
    const s2 = this._sampleArgs(e3, t2, 2);
    if (null === s2) return null;
    const r2 = this._resolveSampler(e3.args[1], t2), i2 = s2.texture.typeInfo.name.includes("_array") ? 4 : 3, a2 = this.exec.evalExpression(e3.args[i2], t2), o2 = a2 instanceof Fe ? a2.value : 0, l2 = this._compareFn(null !== (n2 = null == r2 ? void 0 : r2.descriptor.compare) && void 0 !== n2 ? n2 : "less-equal"), u2 = this._gatherTexels(s2.texture, s2.u, s2.v, s2.layer, r2);
    return new ze(u2.map((e4) => l2(o2, e4[0]) ? 1 : 0), this.getTypeInfo("vec4f"));
  }
  TextureLoad(e3, t2) {
    const n2 = e3.args[0], s2 = this.exec.evalExpression(e3.args[1], t2);
    if (!(s2 instanceof ze) || 2 !== s2.data.length && 3 !== s2.data.length) return console.error(`Invalid UV argument for textureLoad. Line ${e3.line}`), null;
    if (n2 instanceof _e) {
      const r2 = n2.name, i2 = t2.getVariableValue(r2);
      if (i2 instanceof Oe) {
        let n3 = 0, a2 = 0;
        ["texture_storage_2d_array", "texture_2d_array", "texture_depth_2d_array"].indexOf(i2.typeInfo.name) > -1 && (n3 = this.exec.evalExpression(e3.args[2], t2).value), ["texture_1d", "texture_2d", "texture_depth_2d", "texture_3d"].indexOf(i2.typeInfo.name) > -1 && (a2 = this.exec.evalExpression(e3.args[2], t2).value), ["texture_2d_array", "texture_depth_2d_array"].indexOf(i2.typeInfo.name) > -1 && (a2 = this.exec.evalExpression(e3.args[3], t2).value), i2.typeInfo.name.includes("_3d") && 3 === s2.data.length && (n3 = s2.data[2]);
        const o2 = Math.floor(s2.data[0]), l2 = Math.floor(s2.data[1]), u2 = Math.floor(n3), c2 = Math.floor(a2);
        if (o2 < 0 || o2 >= i2.width || l2 < 0 || l2 >= i2.height) return console.error(`Texture ${r2} out of bounds. Line ${e3.line}`), null;
        const h2 = i2.getPixel(o2, l2, u2, c2);
        return null === h2 ? (console.error(`Invalid texture format for textureLoad. Line ${e3.line}`), null) : new ze(h2, this.getTypeInfo("vec4f"));
      }
      return console.error(`Texture ${r2} not found. Line ${e3.line}`), null;
    }
    return console.error(`Invalid texture argument for textureLoad. Line ${e3.line}`), null;
  }
  TextureNumLayers(e3, t2) {
    const n2 = e3.args[0];
    if (n2 instanceof _e) {
      const s2 = n2.name, r2 = t2.getVariableValue(s2);
      return r2 instanceof Oe ? new Fe(r2.depthOrArrayLayers, this.getTypeInfo("u32")) : (console.error(`Texture ${s2} not found. Line ${e3.line}`), null);
    }
    return console.error(`Invalid texture argument for textureNumLayers. Line ${e3.line}`), null;
  }
  TextureNumLevels(e3, t2) {
    const n2 = e3.args[0];
    if (n2 instanceof _e) {
      const s2 = n2.name, r2 = t2.getVariableValue(s2);
      return r2 instanceof Oe ? new Fe(r2.mipLevelCount, this.getTypeInfo("u32")) : (console.error(`Texture ${s2} not found. Line ${e3.line}`), null);
    }
    return console.error(`Invalid texture argument for textureNumLevels. Line ${e3.line}`), null;
  }
  TextureNumSamples(e3, t2) {
    const n2 = e3.args[0];
    if (n2 instanceof _e) {
      const s2 = n2.name, r2 = t2.getVariableValue(s2);
      return r2 instanceof Oe ? new Fe(r2.sampleCount, this.getTypeInfo("u32")) : (console.error(`Texture ${s2} not found. Line ${e3.line}`), null);
    }
    return console.error(`Invalid texture argument for textureNumSamples. Line ${e3.line}`), null;
  }
  _resolveTexture(e3, t2) {
    if (e3 instanceof _e) {
      const n3 = t2.getVariableValue(e3.name);
      return n3 instanceof Oe ? n3 : null;
    }
    const n2 = this.exec.evalExpression(e3, t2);
    return n2 instanceof Oe ? n2 : null;
  }
  _resolveSampler(e3, t2) {
    if (e3 instanceof _e) {
      const n2 = t2.getVariableValue(e3.name);
      return n2 instanceof qe ? n2 : null;
    }
    return null;
  }
  _wrap(e3, t2, n2) {
    if ("repeat" === n2) return (e3 % t2 + t2) % t2;
    if ("mirror-repeat" === n2) {
      const n3 = 2 * t2, s2 = (e3 % n3 + n3) % n3;
      return s2 < t2 ? s2 : n3 - 1 - s2;
    }
    return Math.max(0, Math.min(e3, t2 - 1));
  }
  _texel(e3, t2, n2, s2, r2, i2, a2) {
    var o2, l2, u2, c2, h2;
    const f2 = e3.getMipLevelSize(r2), p2 = Math.max(1, f2[0]), d2 = Math.max(1, f2[1]), m3 = null !== (o2 = e3.getPixel(this._wrap(t2, p2, i2), this._wrap(n2, d2, a2), s2, r2)) && void 0 !== o2 ? o2 : [0, 0, 0, 0];
    return [null !== (l2 = m3[0]) && void 0 !== l2 ? l2 : 0, null !== (u2 = m3[1]) && void 0 !== u2 ? u2 : 0, null !== (c2 = m3[2]) && void 0 !== c2 ? c2 : 0, null !== (h2 = m3[3]) && void 0 !== h2 ? h2 : 1];
  }
  _filterSlice(e3, t2, n2, s2, r2, i2) {
    var a2, o2, l2;
    const u2 = null !== (a2 = null == i2 ? void 0 : i2.descriptor) && void 0 !== a2 ? a2 : {}, c2 = null !== (o2 = u2.addressModeU) && void 0 !== o2 ? o2 : "clamp-to-edge", h2 = null !== (l2 = u2.addressModeV) && void 0 !== l2 ? l2 : "clamp-to-edge", f2 = e3.getMipLevelSize(r2), p2 = Math.max(1, f2[0]), d2 = Math.max(1, f2[1]);
    if ("nearest" === u2.magFilter) return this._texel(e3, Math.floor(t2 * p2), Math.floor(n2 * d2), s2, r2, c2, h2);
    const m3 = t2 * p2 - 0.5, _2 = n2 * d2 - 0.5, g2 = Math.floor(m3), x2 = Math.floor(_2), y2 = m3 - g2, v2 = _2 - x2, b2 = this._texel(e3, g2, x2, s2, r2, c2, h2), w2 = this._texel(e3, g2 + 1, x2, s2, r2, c2, h2), k2 = this._texel(e3, g2, x2 + 1, s2, r2, c2, h2), I2 = this._texel(e3, g2 + 1, x2 + 1, s2, r2, c2, h2), T2 = [0, 0, 0, 0];
    for (let e4 = 0; e4 < 4; ++e4) {
      const t3 = b2[e4] + (w2[e4] - b2[e4]) * y2, n3 = k2[e4] + (I2[e4] - k2[e4]) * y2;
      T2[e4] = t3 + (n3 - t3) * v2;
    }
    return T2;
  }
  _filterMip(e3, t2, n2, s2, r2, i2, a2 = null) {
    var o2, l2;
    if (null === a2) return this._filterSlice(e3, t2, n2, s2, r2, i2);
    const u2 = null !== (o2 = null == i2 ? void 0 : i2.descriptor) && void 0 !== o2 ? o2 : {}, c2 = null !== (l2 = u2.addressModeW) && void 0 !== l2 ? l2 : "clamp-to-edge", h2 = Math.max(1, e3.getMipLevelSize(r2)[2]);
    if ("nearest" === u2.magFilter) return this._filterSlice(e3, t2, n2, this._wrap(Math.floor(a2 * h2), h2, c2), r2, i2);
    const f2 = a2 * h2 - 0.5, p2 = Math.floor(f2), d2 = f2 - p2, m3 = this._filterSlice(e3, t2, n2, this._wrap(p2, h2, c2), r2, i2);
    if (0 === d2) return m3;
    const _2 = this._filterSlice(e3, t2, n2, this._wrap(p2 + 1, h2, c2), r2, i2);
    return m3.map((e4, t3) => e4 + (_2[t3] - e4) * d2);
  }
  _sampleTexture(e3, t2, n2, s2, r2, i2, a2 = null) {
    const o2 = e3.mipLevelCount - 1;
    if (r2 = Math.max(0, Math.min(r2, o2)), "nearest" === (null == i2 ? void 0 : i2.descriptor.mipmapFilter)) return this._filterMip(e3, t2, n2, s2, Math.round(r2), i2, a2);
    const l2 = Math.floor(r2), u2 = r2 - l2, c2 = this._filterMip(e3, t2, n2, s2, l2, i2, a2);
    if (0 === u2 || l2 >= o2) return c2;
    const h2 = this._filterMip(e3, t2, n2, s2, l2 + 1, i2, a2);
    return c2.map((e4, t3) => e4 + (h2[t3] - e4) * u2);
  }
  _cubeFaceUV(e3, t2, n2) {
    return mt(e3, t2, n2);
  }
  _compareFn(e3) {
    switch (e3) {
      case "less":
        return (e4, t2) => e4 < t2;
      case "greater":
        return (e4, t2) => e4 > t2;
      case "less-equal":
      default:
        return (e4, t2) => e4 <= t2;
      case "greater-equal":
        return (e4, t2) => e4 >= t2;
      case "equal":
        return (e4, t2) => e4 === t2;
      case "not-equal":
        return (e4, t2) => e4 !== t2;
      case "always":
        return () => true;
      case "never":
        return () => false;
    }
  }
  _sampleCompareValue(e3, t2) {
    var n2, s2, r2, i2;
    const a2 = this._sampleArgs(e3, t2, 2);
    if (null === a2) return null;
    const o2 = this._resolveSampler(e3.args[1], t2), l2 = null !== (n2 = null == o2 ? void 0 : o2.descriptor) && void 0 !== n2 ? n2 : {}, u2 = a2.texture.typeInfo.name.includes("_array") ? 4 : 3, c2 = this.exec.evalExpression(e3.args[u2], t2), h2 = c2 instanceof Fe ? c2.value : 0, f2 = this._compareFn(null !== (s2 = l2.compare) && void 0 !== s2 ? s2 : "less-equal"), p2 = null !== (r2 = l2.addressModeU) && void 0 !== r2 ? r2 : "clamp-to-edge", d2 = null !== (i2 = l2.addressModeV) && void 0 !== i2 ? i2 : "clamp-to-edge", m3 = a2.texture.getMipLevelSize(0), _2 = Math.max(1, m3[0]), g2 = Math.max(1, m3[1]), x2 = (e4, t3) => f2(h2, this._texel(a2.texture, e4, t3, a2.layer, 0, p2, d2)[0]) ? 1 : 0;
    if ("nearest" === l2.magFilter) return new Fe(x2(Math.floor(a2.u * _2), Math.floor(a2.v * g2)), this.getTypeInfo("f32"));
    const y2 = a2.u * _2 - 0.5, v2 = a2.v * g2 - 0.5, b2 = Math.floor(y2), w2 = Math.floor(v2), k2 = y2 - b2, I2 = v2 - w2, T2 = x2(b2, w2) + (x2(b2 + 1, w2) - x2(b2, w2)) * k2, S2 = x2(b2, w2 + 1) + (x2(b2 + 1, w2 + 1) - x2(b2, w2 + 1)) * k2;
    return new Fe(T2 + (S2 - T2) * I2, this.getTypeInfo("f32"));
  }
  _sampleResult(e3, t2) {
    return e3.typeInfo.name.includes("depth") ? new Fe(t2[0], this.getTypeInfo("f32")) : new ze(t2, this.getTypeInfo("vec4f"));
  }
  _sampleArgs(e3, t2, n2, s2 = 0) {
    const r2 = this._resolveTexture(e3.args[s2], t2);
    if (null === r2) return console.error(`Invalid texture argument for ${e3.name}. Line ${e3.line}`), null;
    const i2 = r2.typeInfo.name, a2 = i2.includes("_cube"), o2 = i2.includes("_3d"), l2 = i2.includes("_array"), u2 = this.exec.evalExpression(e3.args[n2], t2), c2 = a2 || o2 ? 3 : 2;
    if (!(u2 instanceof ze) || u2.data.length < c2) return console.error(`${e3.name} requires ${c2}d texture coordinates for ${i2}. Line ${e3.line}`), null;
    let h2 = 0;
    if (l2) {
      const s3 = this.exec.evalExpression(e3.args[n2 + 1], t2);
      s3 instanceof Fe && (h2 = Math.floor(s3.value));
    }
    if (a2) {
      const e4 = this._cubeFaceUV(u2.data[0], u2.data[1], u2.data[2]);
      return { texture: r2, u: e4.u, v: e4.v, layer: 6 * h2 + e4.face, r: null };
    }
    return o2 ? { texture: r2, u: u2.data[0], v: u2.data[1], layer: 0, r: u2.data[2] } : { texture: r2, u: u2.data[0], v: u2.data[1], layer: h2, r: null };
  }
  TextureSample(e3, t2) {
    const n2 = this._sampleArgs(e3, t2, 2);
    if (null === n2) return null;
    let s2 = 0;
    const r2 = t2.getDerivative(e3);
    r2 instanceof Fe && (s2 = r2.value, t2.clearDerivative(e3));
    const i2 = this._resolveSampler(e3.args[1], t2);
    return this._sampleResult(n2.texture, this._sampleTexture(n2.texture, n2.u, n2.v, n2.layer, s2, i2, n2.r));
  }
  TextureSampleBias(e3, t2) {
    const n2 = this._sampleArgs(e3, t2, 2);
    if (null === n2) return null;
    let s2 = 0;
    const r2 = t2.getDerivative(e3);
    r2 instanceof Fe && (s2 = r2.value, t2.clearDerivative(e3));
    const i2 = this._resolveSampler(e3.args[1], t2);
    return this._sampleResult(n2.texture, this._sampleTexture(n2.texture, n2.u, n2.v, n2.layer, s2, i2, n2.r));
  }
  TextureSampleLevel(e3, t2) {
    const n2 = this._sampleArgs(e3, t2, 2);
    if (null === n2) return null;
    const s2 = n2.texture.typeInfo.name.includes("_array") ? 4 : 3, r2 = this.exec.evalExpression(e3.args[s2], t2), i2 = r2 instanceof Fe ? r2.value : 0, a2 = this._resolveSampler(e3.args[1], t2);
    return this._sampleResult(n2.texture, this._sampleTexture(n2.texture, n2.u, n2.v, n2.layer, i2, a2, n2.r));
  }
  TextureSampleGrad(e3, t2) {
    const n2 = this._sampleArgs(e3, t2, 2);
    if (null === n2) return null;
    const s2 = n2.texture.typeInfo.name.includes("_array") ? 4 : 3, r2 = this.exec.evalExpression(e3.args[s2], t2), i2 = this.exec.evalExpression(e3.args[s2 + 1], t2);
    let a2 = 0;
    if (r2 instanceof ze && i2 instanceof ze) {
      const e4 = n2.texture.getMipLevelSize(0), t3 = (t4) => {
        let n3 = 0;
        for (let s4 = 0; s4 < t4.length && s4 < 3; ++s4) {
          const r3 = t4[s4] * Math.max(1, e4[s4]);
          n3 += r3 * r3;
        }
        return Math.sqrt(n3);
      }, s3 = Math.max(t3(r2.data), t3(i2.data));
      a2 = s3 > 0 ? Math.log2(s3) : 0;
    }
    const o2 = this._resolveSampler(e3.args[1], t2);
    return this._sampleResult(n2.texture, this._sampleTexture(n2.texture, n2.u, n2.v, n2.layer, a2, o2, n2.r));
  }
  TextureSampleCompare(e3, t2) {
    return this._sampleCompareValue(e3, t2);
  }
  TextureSampleCompareLevel(e3, t2) {
    return this._sampleCompareValue(e3, t2);
  }
  TextureSampleBaseClampToEdge(e3, t2) {
    const n2 = this._sampleArgs(e3, t2, 2);
    return null === n2 ? null : this._sampleResult(n2.texture, this._filterMip(n2.texture, n2.u, n2.v, n2.layer, 0, null, n2.r));
  }
  TextureStore(e3, t2) {
    const n2 = e3.args[0], s2 = this.exec.evalExpression(e3.args[1], t2), r2 = 4 === e3.args.length ? this.exec.evalExpression(e3.args[2], t2).value : 0, i2 = 4 === e3.args.length ? this.exec.evalExpression(e3.args[3], t2).data : this.exec.evalExpression(e3.args[2], t2).data;
    if (4 !== i2.length) return console.error(`Invalid value argument for textureStore. Line ${e3.line}`), null;
    if (!(s2 instanceof ze) || 2 !== s2.data.length) return console.error(`Invalid UV argument for textureStore. Line ${e3.line}`), null;
    if (n2 instanceof _e) {
      const a2 = n2.name, o2 = t2.getVariableValue(a2);
      if (o2 instanceof Oe) {
        const t3 = o2.getMipLevelSize(0), n3 = Math.floor(s2.data[0]), l2 = Math.floor(s2.data[1]);
        return n3 < 0 || n3 >= t3[0] || l2 < 0 || l2 >= t3[1] ? (console.error(`Texture ${a2} out of bounds. Line ${e3.line}`), null) : (o2.setPixel(n3, l2, 0, r2, Array.from(i2)), null);
      }
      return console.error(`Texture ${a2} not found. Line ${e3.line}`), null;
    }
    return console.error(`Invalid texture argument for textureStore. Line ${e3.line}`), null;
  }
  AtomicLoad(e3, t2) {
    let n2 = e3.args[0];
    n2 instanceof ke && (n2 = n2.right);
    const s2 = this.exec.getVariableName(n2, t2);
    return t2.getVariable(s2).value.getSubData(this.exec, n2.postfix, t2);
  }
  AtomicStore(e3, t2) {
    let n2 = e3.args[0];
    n2 instanceof ke && (n2 = n2.right);
    const s2 = this.exec.getVariableName(n2, t2), r2 = t2.getVariable(s2);
    let i2 = e3.args[1];
    const a2 = this.exec.evalExpression(i2, t2), o2 = r2.value.getSubData(this.exec, n2.postfix, t2);
    return o2 instanceof Fe && a2 instanceof Fe && (o2.value = a2.value), r2.value instanceof We && r2.value.setDataValue(this.exec, o2, n2.postfix, t2), null;
  }
  AtomicAdd(e3, t2) {
    let n2 = e3.args[0];
    n2 instanceof ke && (n2 = n2.right);
    const s2 = this.exec.getVariableName(n2, t2), r2 = t2.getVariable(s2);
    let i2 = e3.args[1];
    const a2 = this.exec.evalExpression(i2, t2), o2 = r2.value.getSubData(this.exec, n2.postfix, t2), l2 = new Fe(o2.value, o2.typeInfo);
    return o2 instanceof Fe && a2 instanceof Fe && (o2.value += a2.value), r2.value instanceof We && r2.value.setDataValue(this.exec, o2, n2.postfix, t2), l2;
  }
  AtomicSub(e3, t2) {
    let n2 = e3.args[0];
    n2 instanceof ke && (n2 = n2.right);
    const s2 = this.exec.getVariableName(n2, t2), r2 = t2.getVariable(s2);
    let i2 = e3.args[1];
    const a2 = this.exec.evalExpression(i2, t2), o2 = r2.value.getSubData(this.exec, n2.postfix, t2), l2 = new Fe(o2.value, o2.typeInfo);
    return o2 instanceof Fe && a2 instanceof Fe && (o2.value -= a2.value), r2.value instanceof We && r2.value.setDataValue(this.exec, o2, n2.postfix, t2), l2;
  }
  AtomicMax(e3, t2) {
    let n2 = e3.args[0];
    n2 instanceof ke && (n2 = n2.right);
    const s2 = this.exec.getVariableName(n2, t2), r2 = t2.getVariable(s2);
    let i2 = e3.args[1];
    const a2 = this.exec.evalExpression(i2, t2), o2 = r2.value.getSubData(this.exec, n2.postfix, t2), l2 = new Fe(o2.value, o2.typeInfo);
    return o2 instanceof Fe && a2 instanceof Fe && (o2.value = Math.max(o2.value, a2.value)), r2.value instanceof We && r2.value.setDataValue(this.exec, o2, n2.postfix, t2), l2;
  }
  AtomicMin(e3, t2) {
    let n2 = e3.args[0];
    n2 instanceof ke && (n2 = n2.right);
    const s2 = this.exec.getVariableName(n2, t2), r2 = t2.getVariable(s2);
    let i2 = e3.args[1];
    const a2 = this.exec.evalExpression(i2, t2), o2 = r2.value.getSubData(this.exec, n2.postfix, t2), l2 = new Fe(o2.value, o2.typeInfo);
    return o2 instanceof Fe && a2 instanceof Fe && (o2.value = Math.min(o2.value, a2.value)), r2.value instanceof We && r2.value.setDataValue(this.exec, o2, n2.postfix, t2), l2;
  }
  AtomicAnd(e3, t2) {
    let n2 = e3.args[0];
    n2 instanceof ke && (n2 = n2.right);
    const s2 = this.exec.getVariableName(n2, t2), r2 = t2.getVariable(s2);
    let i2 = e3.args[1];
    const a2 = this.exec.evalExpression(i2, t2), o2 = r2.value.getSubData(this.exec, n2.postfix, t2), l2 = new Fe(o2.value, o2.typeInfo);
    return o2 instanceof Fe && a2 instanceof Fe && (o2.value = o2.value & a2.value), r2.value instanceof We && r2.value.setDataValue(this.exec, o2, n2.postfix, t2), l2;
  }
  AtomicOr(e3, t2) {
    let n2 = e3.args[0];
    n2 instanceof ke && (n2 = n2.right);
    const s2 = this.exec.getVariableName(n2, t2), r2 = t2.getVariable(s2);
    let i2 = e3.args[1];
    const a2 = this.exec.evalExpression(i2, t2), o2 = r2.value.getSubData(this.exec, n2.postfix, t2), l2 = new Fe(o2.value, o2.typeInfo);
    return o2 instanceof Fe && a2 instanceof Fe && (o2.value = o2.value | a2.value), r2.value instanceof We && r2.value.setDataValue(this.exec, o2, n2.postfix, t2), l2;
  }
  AtomicXor(e3, t2) {
    let n2 = e3.args[0];
    n2 instanceof ke && (n2 = n2.right);
    const s2 = this.exec.getVariableName(n2, t2), r2 = t2.getVariable(s2);
    let i2 = e3.args[1];
    const a2 = this.exec.evalExpression(i2, t2), o2 = r2.value.getSubData(this.exec, n2.postfix, t2), l2 = new Fe(o2.value, o2.typeInfo);
    return o2 instanceof Fe && a2 instanceof Fe && (o2.value = o2.value ^ a2.value), r2.value instanceof We && r2.value.setDataValue(this.exec, o2, n2.postfix, t2), l2;
  }
  AtomicExchange(e3, t2) {
    let n2 = e3.args[0];
    n2 instanceof ke && (n2 = n2.right);
    const s2 = this.exec.getVariableName(n2, t2), r2 = t2.getVariable(s2);
    let i2 = e3.args[1];
    const a2 = this.exec.evalExpression(i2, t2), o2 = r2.value.getSubData(this.exec, n2.postfix, t2), l2 = new Fe(o2.value, o2.typeInfo);
    return o2 instanceof Fe && a2 instanceof Fe && (o2.value = a2.value), r2.value instanceof We && r2.value.setDataValue(this.exec, o2, n2.postfix, t2), l2;
  }
  AtomicCompareExchangeWeak(e3, t2) {
    let n2 = e3.args[0];
    n2 instanceof ke && (n2 = n2.right);
    const s2 = this.exec.getVariableName(n2, t2), r2 = t2.getVariable(s2), i2 = this.exec.evalExpression(e3.args[1], t2), a2 = this.exec.evalExpression(e3.args[2], t2), o2 = r2.value.getSubData(this.exec, n2.postfix, t2), l2 = new Fe(o2.value, o2.typeInfo);
    return o2 instanceof Fe && i2 instanceof Fe && a2 instanceof Fe && o2.value === i2.value && (o2.value = a2.value, r2.value instanceof We && r2.value.setDataValue(this.exec, o2, n2.postfix, t2)), l2;
  }
  _packSnormByte(e3) {
    const t2 = Math.round(127 * e3);
    return 255 & (t2 < -128 ? -128 : t2 > 127 ? 127 : t2);
  }
  _packUnormByte(e3) {
    const t2 = Math.round(255 * e3);
    return 255 & (t2 < 0 ? 0 : t2 > 255 ? 255 : t2);
  }
  Pack4x8snorm(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (!(n2 instanceof ze)) return console.error(`Pack4x8snorm() expects a vec4<f32> argument. Line ${e3.line}`), null;
    const s2 = n2.data, r2 = (this._packSnormByte(s2[0]) | this._packSnormByte(s2[1]) << 8 | this._packSnormByte(s2[2]) << 16 | this._packSnormByte(s2[3]) << 24) >>> 0;
    return new Fe(r2, this.getTypeInfo("u32"));
  }
  Pack4x8unorm(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (!(n2 instanceof ze)) return console.error(`Pack4x8unorm() expects a vec4<f32> argument. Line ${e3.line}`), null;
    const s2 = n2.data, r2 = (this._packUnormByte(s2[0]) | this._packUnormByte(s2[1]) << 8 | this._packUnormByte(s2[2]) << 16 | this._packUnormByte(s2[3]) << 24) >>> 0;
    return new Fe(r2, this.getTypeInfo("u32"));
  }
  Pack4xI8(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (!(n2 instanceof ze)) return console.error(`Pack4xI8() expects a vec4<i32> argument. Line ${e3.line}`), null;
    const s2 = n2.data, r2 = (255 & s2[0] | (255 & s2[1]) << 8 | (255 & s2[2]) << 16 | (255 & s2[3]) << 24) >>> 0;
    return new Fe(r2, this.getTypeInfo("u32"));
  }
  Pack4xU8(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (!(n2 instanceof ze)) return console.error(`Pack4xU8() expects a vec4<u32> argument. Line ${e3.line}`), null;
    const s2 = n2.data, r2 = (255 & s2[0] | (255 & s2[1]) << 8 | (255 & s2[2]) << 16 | (255 & s2[3]) << 24) >>> 0;
    return new Fe(r2, this.getTypeInfo("u32"));
  }
  Pack4x8Clamp(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (!(n2 instanceof ze)) return console.error(`Pack4x8Clamp() expects a vec4<i32> argument. Line ${e3.line}`), null;
    const s2 = n2.data, r2 = (e4) => 255 & (e4 < -128 ? -128 : e4 > 127 ? 127 : e4), i2 = (r2(s2[0]) | r2(s2[1]) << 8 | r2(s2[2]) << 16 | r2(s2[3]) << 24) >>> 0;
    return new Fe(i2, this.getTypeInfo("u32"));
  }
  Pack4xU8Clamp(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (!(n2 instanceof ze)) return console.error(`Pack4xU8Clamp() expects a vec4<u32> argument. Line ${e3.line}`), null;
    const s2 = n2.data, r2 = (e4) => 255 & (e4 < 0 ? 0 : e4 > 255 ? 255 : e4), i2 = (r2(s2[0]) | r2(s2[1]) << 8 | r2(s2[2]) << 16 | r2(s2[3]) << 24) >>> 0;
    return new Fe(i2, this.getTypeInfo("u32"));
  }
  Pack2x16snorm(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (!(n2 instanceof ze)) return console.error(`Pack2x16snorm() expects a vec2<f32> argument. Line ${e3.line}`), null;
    const s2 = n2.data, r2 = (e4) => {
      const t3 = Math.round(32767 * e4);
      return 65535 & (t3 < -32768 ? -32768 : t3 > 32767 ? 32767 : t3);
    }, i2 = (r2(s2[0]) | r2(s2[1]) << 16) >>> 0;
    return new Fe(i2, this.getTypeInfo("u32"));
  }
  Pack2x16unorm(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (!(n2 instanceof ze)) return console.error(`Pack2x16unorm() expects a vec2<f32> argument. Line ${e3.line}`), null;
    const s2 = n2.data, r2 = (e4) => {
      const t3 = Math.round(65535 * e4);
      return 65535 & (t3 < 0 ? 0 : t3 > 65535 ? 65535 : t3);
    }, i2 = (r2(s2[0]) | r2(s2[1]) << 16) >>> 0;
    return new Fe(i2, this.getTypeInfo("u32"));
  }
  Pack2x16float(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (!(n2 instanceof ze)) return console.error(`Pack2x16float() expects a vec2<f32> argument. Line ${e3.line}`), null;
    const s2 = n2.data, r2 = (__t._f32ToF16Bits(s2[0]) | __t._f32ToF16Bits(s2[1]) << 16) >>> 0;
    return new Fe(r2, this.getTypeInfo("u32"));
  }
  Unpack4x8snorm(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (!(n2 instanceof Fe)) return console.error(`Unpack4x8snorm() expects a u32 argument. Line ${e3.line}`), null;
    const s2 = n2.value >>> 0, r2 = (e4) => {
      const t3 = (128 & e4 ? e4 - 256 : e4) / 127;
      return t3 < -1 ? -1 : t3 > 1 ? 1 : t3;
    };
    return new ze([r2(255 & s2), r2(s2 >>> 8 & 255), r2(s2 >>> 16 & 255), r2(s2 >>> 24 & 255)], this.getTypeInfo("vec4f"));
  }
  Unpack4x8unorm(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (!(n2 instanceof Fe)) return console.error(`Unpack4x8unorm() expects a u32 argument. Line ${e3.line}`), null;
    const s2 = n2.value >>> 0;
    return new ze([(255 & s2) / 255, (s2 >>> 8 & 255) / 255, (s2 >>> 16 & 255) / 255, (s2 >>> 24 & 255) / 255], this.getTypeInfo("vec4f"));
  }
  Unpack4xI8(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (!(n2 instanceof Fe)) return console.error(`Unpack4xI8() expects a u32 argument. Line ${e3.line}`), null;
    const s2 = n2.value >>> 0, r2 = (e4) => 128 & e4 ? e4 - 256 : e4;
    return new ze([r2(255 & s2), r2(s2 >>> 8 & 255), r2(s2 >>> 16 & 255), r2(s2 >>> 24 & 255)], this.getTypeInfo("vec4i"));
  }
  Unpack4xU8(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (!(n2 instanceof Fe)) return console.error(`Unpack4xU8() expects a u32 argument. Line ${e3.line}`), null;
    const s2 = n2.value >>> 0;
    return new ze([255 & s2, s2 >>> 8 & 255, s2 >>> 16 & 255, s2 >>> 24 & 255], this.getTypeInfo("vec4u"));
  }
  Unpack2x16snorm(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (!(n2 instanceof Fe)) return console.error(`Unpack2x16snorm() expects a u32 argument. Line ${e3.line}`), null;
    const s2 = n2.value >>> 0, r2 = (e4) => {
      const t3 = (32768 & e4 ? e4 - 65536 : e4) / 32767;
      return t3 < -1 ? -1 : t3 > 1 ? 1 : t3;
    };
    return new ze([r2(65535 & s2), r2(s2 >>> 16 & 65535)], this.getTypeInfo("vec2f"));
  }
  Unpack2x16unorm(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (!(n2 instanceof Fe)) return console.error(`Unpack2x16unorm() expects a u32 argument. Line ${e3.line}`), null;
    const s2 = n2.value >>> 0;
    return new ze([(65535 & s2) / 65535, (s2 >>> 16 & 65535) / 65535], this.getTypeInfo("vec2f"));
  }
  Unpack2x16float(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    if (!(n2 instanceof Fe)) return console.error(`Unpack2x16float() expects a u32 argument. Line ${e3.line}`), null;
    const s2 = n2.value >>> 0;
    return new ze([__t._f16BitsToF32(65535 & s2), __t._f16BitsToF32(s2 >>> 16 & 65535)], this.getTypeInfo("vec2f"));
  }
  static _f32ToF16Bits(e3) {
    __t._f32Convert[0] = e3;
    const t2 = __t._u32View[0], n2 = t2 >>> 16 & 32768;
    let s2 = (t2 >>> 23 & 255) - 127 + 15;
    const r2 = 8388607 & t2;
    if (!(255 & ~(t2 >>> 23))) return 31744 | n2 | (r2 ? 512 : 0);
    if (s2 >= 31) return 31744 | n2;
    if (s2 <= 0) {
      if (s2 < -10) return n2;
      return n2 | (8388608 | r2) >>> 14 - s2;
    }
    return n2 | s2 << 10 | r2 >>> 13;
  }
  static _f16BitsToF32(e3) {
    const t2 = (32768 & e3) << 16, n2 = e3 >>> 10 & 31, s2 = 1023 & e3;
    let r2 = 0;
    if (0 === n2) if (0 === s2) r2 = t2;
    else {
      let e4 = s2, n3 = -14;
      for (; !(1024 & e4); ) e4 <<= 1, n3--;
      e4 &= 1023, r2 = t2 | n3 + 127 << 23 | e4 << 13;
    }
    else r2 = 31 === n2 ? 2139095040 | t2 | s2 << 13 : t2 | n2 - 15 + 127 << 23 | s2 << 13;
    return __t._u32View[0] = r2, __t._f32Convert[0];
  }
  StorageBarrier(e3, t2) {
    return null;
  }
  TextureBarrier(e3, t2) {
    return null;
  }
  WorkgroupBarrier(e3, t2) {
    return null;
  }
  WorkgroupUniformLoad(e3, t2) {
    return null;
  }
  SubgroupAdd(e3, t2) {
    return this.exec.evalExpression(e3.args[0], t2);
  }
  SubgroupExclusiveAdd(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    return n2 instanceof ze ? new ze(n2.data.map(() => 0), n2.typeInfo) : new Fe(0, n2.typeInfo);
  }
  SubgroupInclusiveAdd(e3, t2) {
    return this.exec.evalExpression(e3.args[0], t2);
  }
  SubgroupAll(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    return new Fe(n2.value ? 1 : 0, this.getTypeInfo("bool"));
  }
  SubgroupAnd(e3, t2) {
    return this.exec.evalExpression(e3.args[0], t2);
  }
  SubgroupAny(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    return new Fe(n2.value ? 1 : 0, this.getTypeInfo("bool"));
  }
  SubgroupBallot(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2).value ? 1 : 0;
    return new ze([n2, 0, 0, 0], this.getTypeInfo("vec4u"));
  }
  SubgroupBroadcast(e3, t2) {
    return this.exec.evalExpression(e3.args[0], t2);
  }
  SubgroupBroadcastFirst(e3, t2) {
    return this.exec.evalExpression(e3.args[0], t2);
  }
  SubgroupElect(e3, t2) {
    return new Fe(1, this.getTypeInfo("bool"));
  }
  SubgroupMax(e3, t2) {
    return this.exec.evalExpression(e3.args[0], t2);
  }
  SubgroupMin(e3, t2) {
    return this.exec.evalExpression(e3.args[0], t2);
  }
  SubgroupMul(e3, t2) {
    return this.exec.evalExpression(e3.args[0], t2);
  }
  SubgroupExclusiveMul(e3, t2) {
    const n2 = this.exec.evalExpression(e3.args[0], t2);
    return n2 instanceof ze ? new ze(n2.data.map(() => 1), n2.typeInfo) : new Fe(1, n2.typeInfo);
  }
  SubgroupInclusiveMul(e3, t2) {
    return this.exec.evalExpression(e3.args[0], t2);
  }
  SubgroupOr(e3, t2) {
    return this.exec.evalExpression(e3.args[0], t2);
  }
  SubgroupShuffle(e3, t2) {
    return this.exec.evalExpression(e3.args[0], t2);
  }
  SubgroupShuffleDown(e3, t2) {
    return this.exec.evalExpression(e3.args[0], t2);
  }
  SubgroupShuffleUp(e3, t2) {
    return this.exec.evalExpression(e3.args[0], t2);
  }
  SubgroupShuffleXor(e3, t2) {
    return this.exec.evalExpression(e3.args[0], t2);
  }
  SubgroupXor(e3, t2) {
    return this.exec.evalExpression(e3.args[0], t2);
  }
  QuadBroadcast(e3, t2) {
    return this.exec.evalExpression(e3.args[0], t2);
  }
  QuadSwapDiagonal(e3, t2) {
    return this.exec.evalExpression(e3.args[0], t2);
  }
  QuadSwapX(e3, t2) {
    return this.exec.evalExpression(e3.args[0], t2);
  }
  QuadSwapY(e3, t2) {
    return this.exec.evalExpression(e3.args[0], t2);
  }
};
_t._f32Convert = new Float32Array(1), _t._u32View = new Uint32Array(_t._f32Convert.buffer);
var gt = { vec2: 2, vec2f: 2, vec2i: 2, vec2u: 2, vec2b: 2, vec2h: 2, vec3: 3, vec3f: 3, vec3i: 3, vec3u: 3, vec3b: 3, vec3h: 3, vec4: 4, vec4f: 4, vec4i: 4, vec4u: 4, vec4b: 4, vec4h: 4 };
var xt = { mat2x2: [2, 2, 4], mat2x2f: [2, 2, 4], mat2x2h: [2, 2, 4], mat2x3: [2, 3, 6], mat2x3f: [2, 3, 6], mat2x3h: [2, 3, 6], mat2x4: [2, 4, 8], mat2x4f: [2, 4, 8], mat2x4h: [2, 4, 8], mat3x2: [3, 2, 6], mat3x2f: [3, 2, 6], mat3x2h: [3, 2, 6], mat3x3: [3, 3, 9], mat3x3f: [3, 3, 9], mat3x3h: [3, 3, 9], mat3x4: [3, 4, 12], mat3x4f: [3, 4, 12], mat3x4h: [3, 4, 12], mat4x2: [4, 2, 8], mat4x2f: [4, 2, 8], mat4x2h: [4, 2, 8], mat4x3: [4, 3, 12], mat4x3f: [4, 3, 12], mat4x3h: [4, 3, 12], mat4x4: [4, 4, 16], mat4x4f: [4, 4, 16], mat4x4h: [4, 4, 16] };
var yt = class _yt extends dt {
  constructor(e3, t2) {
    var n2;
    super(), this.ast = null != e3 ? e3 : [], this.reflection = new ut(), this.reflection.updateAST(this.ast), this.context = null !== (n2 = null == t2 ? void 0 : t2.clone()) && void 0 !== n2 ? n2 : new pt(), this.builtins = new _t(this), this.typeInfo = { bool: this.getTypeInfo(ie.bool), i32: this.getTypeInfo(ie.i32), u32: this.getTypeInfo(ie.u32), f32: this.getTypeInfo(ie.f32), f16: this.getTypeInfo(ie.f16), vec2f: this.getTypeInfo(le.vec2f), vec2u: this.getTypeInfo(le.vec2u), vec2i: this.getTypeInfo(le.vec2i), vec2h: this.getTypeInfo(le.vec2h), vec3f: this.getTypeInfo(le.vec3f), vec3u: this.getTypeInfo(le.vec3u), vec3i: this.getTypeInfo(le.vec3i), vec3h: this.getTypeInfo(le.vec3h), vec4f: this.getTypeInfo(le.vec4f), vec4u: this.getTypeInfo(le.vec4u), vec4i: this.getTypeInfo(le.vec4i), vec4h: this.getTypeInfo(le.vec4h), mat2x2f: this.getTypeInfo(le.mat2x2f), mat2x3f: this.getTypeInfo(le.mat2x3f), mat2x4f: this.getTypeInfo(le.mat2x4f), mat3x2f: this.getTypeInfo(le.mat3x2f), mat3x3f: this.getTypeInfo(le.mat3x3f), mat3x4f: this.getTypeInfo(le.mat3x4f), mat4x2f: this.getTypeInfo(le.mat4x2f), mat4x3f: this.getTypeInfo(le.mat4x3f), mat4x4f: this.getTypeInfo(le.mat4x4f) };
  }
  getVariableValue(e3) {
    var t2, n2;
    const r2 = null !== (n2 = null === (t2 = this.context.getVariable(e3)) || void 0 === t2 ? void 0 : t2.value) && void 0 !== n2 ? n2 : null;
    if (null === r2) return null;
    if (r2 instanceof Fe) return r2.value;
    if (r2 instanceof ze) return Array.from(r2.data);
    if (r2 instanceof Pe) return Array.from(r2.data);
    if (r2 instanceof We && r2.typeInfo instanceof s) {
      const e4 = this._resolveAtomicType(r2.typeInfo.format).name;
      if ("u32" === e4) return Array.from(new Uint32Array(r2.buffer, r2.offset, r2.typeInfo.count));
      if ("i32" === e4) return Array.from(new Int32Array(r2.buffer, r2.offset, r2.typeInfo.count));
      if ("f32" === e4) return Array.from(new Float32Array(r2.buffer, r2.offset, r2.typeInfo.count));
    }
    return console.error(`Unsupported return variable type ${r2.typeInfo.name}`), null;
  }
  execute(e3) {
    (e3 = null != e3 ? e3 : {}).constants && this._setOverrides(e3.constants, this.context), this._execStatements(this.ast, this.context);
  }
  dispatchWorkgroups(e3, t2, n2, s2) {
    const r2 = this.context.clone();
    (s2 = null != s2 ? s2 : {}).constants && this._setOverrides(s2.constants, r2), this._execStatements(this.ast, r2);
    const i2 = r2.getFunction(e3);
    if (!i2) return void console.error(`Function ${e3} not found`);
    if ("number" == typeof t2) t2 = [t2, 1, 1];
    else {
      if (0 === t2.length) return void console.error("Invalid dispatch count");
      1 === t2.length ? t2 = [t2[0], 1, 1] : 2 === t2.length ? t2 = [t2[0], t2[1], 1] : t2.length > 3 && (t2 = [t2[0], t2[1], t2[2]]);
    }
    const a2 = t2[0], o2 = t2[1], l2 = t2[2], u2 = this.getTypeInfo("vec3u");
    r2.setVariable("@num_workgroups", new ze(t2, u2));
    const c2 = this.reflection.getFunctionInfo(e3);
    null === c2 && console.error(`Function ${e3} not found in reflection data`);
    for (const e4 in n2) for (const t3 in n2[e4]) {
      const s3 = n2[e4][t3];
      r2.variables.forEach((n3) => {
        var r3;
        const i3 = n3.node;
        if (null == i3 ? void 0 : i3.attributes) {
          let a3 = null, o3 = null;
          for (const e5 of i3.attributes) "binding" === e5.name ? a3 = e5.value : "group" === e5.name && (o3 = e5.value);
          if (t3 === a3 && e4 === o3) {
            let a4 = false;
            for (const s4 of c2.resources) if (s4.name === n3.name && s4.group === parseInt(e4) && s4.binding === parseInt(t3)) {
              a4 = true;
              break;
            }
            if (a4) if (void 0 !== s3.texture && void 0 !== s3.descriptor) {
              const e5 = new Oe(s3.texture, this.getTypeInfo(i3.type), s3.descriptor, null !== (r3 = s3.view) && void 0 !== r3 ? r3 : null);
              n3.value = e5;
            } else void 0 !== s3.sampler ? n3.value = new qe(s3.sampler, this.getTypeInfo(i3.type)) : void 0 !== s3.uniform ? n3.value = new We(s3.uniform, this.getTypeInfo(i3.type)) : n3.value = new We(s3, this.getTypeInfo(i3.type));
          }
        }
      });
    }
    const h2 = new ze([0, 0, 0], u2);
    r2.setVariable("@workgroup_id", h2);
    for (let e4 = 0; e4 < l2; ++e4) for (let t3 = 0; t3 < o2; ++t3) for (let n3 = 0; n3 < a2; ++n3) h2.data[0] = n3, h2.data[1] = t3, h2.data[2] = e4, this._dispatchWorkgroup(i2, [n3, t3, e4], r2);
  }
  execStatement(e3, t2) {
    if (e3 instanceof Q) return this.evalExpression(e3.value, t2);
    if (e3 instanceof se) {
      if (e3.condition) {
        const n2 = this.evalExpression(e3.condition, t2);
        if (!(n2 instanceof Fe)) throw new Error("Invalid break-if condition");
        if (!n2.value) return null;
      }
      return _yt._breakObj;
    }
    if (e3 instanceof re) return _yt._continueObj;
    if (e3 instanceof z) this._let(e3, t2);
    else if (e3 instanceof F) this._var(e3, t2);
    else if (e3 instanceof P) this._const(e3, t2);
    else if (e3 instanceof U) this._override(e3, t2);
    else if (e3 instanceof N) this._function(e3, t2);
    else {
      if (e3 instanceof K) return this._if(e3, t2);
      if (e3 instanceof Z) return this._switch(e3, t2);
      if (e3 instanceof M) return this._for(e3, t2);
      if (e3 instanceof D) return this._while(e3, t2);
      if (e3 instanceof j) return this._loop(e3, t2);
      if (e3 instanceof B) {
        const n2 = t2.clone();
        return n2.currentFunctionName = t2.currentFunctionName, this._execStatements(e3.body, n2);
      }
      if (e3 instanceof G) this._assign(e3, t2);
      else if (e3 instanceof H) this._increment(e3, t2);
      else {
        if (e3 instanceof oe) return null;
        if (e3 instanceof X) this._call(e3, t2);
        else {
          if (e3 instanceof ee) return null;
          if (e3 instanceof te) return null;
          console.error("Invalid statement type.", e3, `Line ${e3.line}`);
        }
      }
    }
    return null;
  }
  evalExpression(e3, t2) {
    return e3 instanceof Ie ? this._evalBinaryOp(e3, t2) : e3 instanceof xe ? this._evalLiteral(e3, t2) : e3 instanceof _e ? this._evalVariable(e3, t2) : e3 instanceof me ? this._evalCall(e3, t2) : e3 instanceof de ? this._evalCreate(e3, t2) : e3 instanceof ge ? this._evalConst(e3, t2) : e3 instanceof ye ? this._evalBitcast(e3, t2) : e3 instanceof ke ? this._evalUnaryOp(e3, t2) : (console.error("Invalid expression type", e3, `Line ${e3.line}`), null);
  }
  getTypeInfo(e3) {
    var t2;
    if (e3 instanceof ie) {
      const t3 = this.reflection.getTypeInfo(e3);
      if (null !== t3) return t3;
    }
    let n2 = null !== (t2 = this.typeInfo[e3]) && void 0 !== t2 ? t2 : null;
    return null !== n2 || (n2 = this.reflection.getTypeInfoByName(e3)), n2;
  }
  _setOverrides(e3, t2) {
    for (const n2 in e3) {
      const s2 = e3[n2], r2 = this.reflection.getOverrideInfo(n2);
      null !== r2 ? (null === r2.type && (r2.type = this.getTypeInfo("u32")), _yt._numericScalarTypes.has(r2.type.name) ? t2.setVariable(n2, new Fe(s2, r2.type)) : _yt._vectorTypes.has(r2.type.name) ? t2.setVariable(n2, new ze(s2, r2.type)) : console.error(`Invalid constant type for ${n2}`)) : console.error(`Override ${n2} does not exist in the shader.`);
    }
  }
  _dispatchWorkgroup(e3, t2, n2) {
    const s2 = [1, 1, 1];
    for (const t3 of e3.node.attributes) if ("workgroup_size" === t3.name) {
      if (t3.value.length > 0) {
        const e4 = n2.getVariableValue(t3.value[0]);
        s2[0] = e4 instanceof Fe ? e4.value : parseInt(t3.value[0]);
      }
      if (t3.value.length > 1) {
        const e4 = n2.getVariableValue(t3.value[1]);
        s2[1] = e4 instanceof Fe ? e4.value : parseInt(t3.value[1]);
      }
      if (t3.value.length > 2) {
        const e4 = n2.getVariableValue(t3.value[2]);
        s2[2] = e4 instanceof Fe ? e4.value : parseInt(t3.value[2]);
      }
    }
    const r2 = this.getTypeInfo("vec3u"), i2 = this.getTypeInfo("u32");
    n2.setVariable("@workgroup_size", new ze(s2, r2));
    const a2 = s2[0], o2 = s2[1], l2 = s2[2], u2 = new ze([0, 0, 0], r2), c2 = new ze([0, 0, 0], r2), h2 = new Fe(0, i2);
    n2.setVariable("@local_invocation_id", u2), n2.setVariable("@global_invocation_id", c2), n2.setVariable("@local_invocation_index", h2);
    for (let r3 = 0, i3 = 0; r3 < l2; ++r3) for (let l3 = 0; l3 < o2; ++l3) for (let o3 = 0; o3 < a2; ++o3, ++i3) u2.data[0] = o3, u2.data[1] = l3, u2.data[2] = r3, c2.data[0] = o3 + t2[0] * s2[0], c2.data[1] = l3 + t2[1] * s2[1], c2.data[2] = r3 + t2[2] * s2[2], h2.value = i3, this._dispatchExec(e3, n2);
  }
  _dispatchExec(e3, t2) {
    for (const n2 of e3.node.args) for (const e4 of n2.attributes) if ("builtin" === e4.name) {
      const s2 = `@${e4.value}`, r2 = t2.getVariable(s2);
      void 0 !== r2 && t2.variables.set(n2.name, r2);
    }
    this._execStatements(e3.node.body, t2);
  }
  getVariableName(e3, t2) {
    for (; e3 instanceof ke; ) e3 = e3.right;
    return e3 instanceof _e ? e3.name : (console.error("Unknown variable type", e3, "Line", e3.line), null);
  }
  _execStatements(e3, t2) {
    for (const n2 of e3) {
      if (Array.isArray(n2)) {
        const e5 = t2.clone(), s2 = this._execStatements(n2, e5);
        if (s2) return s2;
        continue;
      }
      const e4 = this.execStatement(n2, t2);
      if (e4) return e4;
    }
    return null;
  }
  _call(e3, t2) {
    const n2 = t2.clone();
    n2.currentFunctionName = e3.name;
    const s2 = t2.getFunction(e3.name);
    if (s2) {
      for (let t3 = 0; t3 < s2.node.args.length; ++t3) {
        const r2 = s2.node.args[t3], i2 = this.evalExpression(e3.args[t3], n2);
        n2.setVariable(r2.name, i2, r2);
      }
      this._execStatements(s2.node.body, n2);
    } else if (e3.isBuiltin) this._callBuiltinFunction(e3, n2);
    else {
      this.getTypeInfo(e3.name) && this._evalCreate(e3, t2);
    }
  }
  _increment(e3, t2) {
    const n2 = this.getVariableName(e3.variable, t2), s2 = t2.getVariable(n2);
    s2 ? "++" === e3.operator ? s2.value instanceof Fe ? s2.value.value++ : console.error(`Variable ${n2} is not a scalar. Line ${e3.line}`) : "--" === e3.operator ? s2.value instanceof Fe ? s2.value.value-- : console.error(`Variable ${n2} is not a scalar. Line ${e3.line}`) : console.error(`Unknown increment operator ${e3.operator}. Line ${e3.line}`) : console.error(`Variable ${n2} not found. Line ${e3.line}`);
  }
  _getVariableData(e3, t2) {
    if (e3 instanceof _e) {
      const n2 = this.getVariableName(e3, t2), s2 = t2.getVariable(n2);
      return null === s2 ? (console.error(`Variable ${n2} not found. Line ${e3.line}`), null) : s2.value.getSubData(this, e3.postfix, t2);
    }
    if (e3 instanceof ke) {
      if ("*" === e3.operator) {
        const n2 = this._getVariableData(e3.right, t2);
        return n2 instanceof Me ? n2.reference.getSubData(this, e3.postfix, t2) : (console.error(`Variable ${e3.right} is not a pointer. Line ${e3.line}`), null);
      }
      if ("&" === e3.operator) {
        const n2 = this._getVariableData(e3.right, t2);
        return new Me(n2);
      }
    }
    return null;
  }
  _assign(e3, t2) {
    let n2 = null, s2 = "<var>", r2 = null;
    if (e3.variable instanceof ke) {
      const n3 = this._getVariableData(e3.variable, t2), s3 = this.evalExpression(e3.value, t2), r3 = e3.operator;
      if ("=" === r3) {
        if (n3 instanceof Fe || n3 instanceof ze || n3 instanceof Pe) {
          if (s3 instanceof Fe || s3 instanceof ze || s3 instanceof Pe && n3.data.length === s3.data.length) return void n3.data.set(s3.data);
          console.error(`Invalid assignment. Line ${e3.line}`);
        } else if (n3 instanceof We && s3 instanceof We && n3.buffer.byteLength - n3.offset >= s3.buffer.byteLength - s3.offset) return void (n3.buffer.byteLength % 4 == 0 ? new Uint32Array(n3.buffer, n3.offset, n3.typeInfo.size / 4).set(new Uint32Array(s3.buffer, s3.offset, s3.typeInfo.size / 4)) : new Uint8Array(n3.buffer, n3.offset, n3.typeInfo.size).set(new Uint8Array(s3.buffer, s3.offset, s3.typeInfo.size)));
        return console.error(`Invalid assignment. Line ${e3.line}`), null;
      }
      if ("+=" === r3) return n3 instanceof Fe || n3 instanceof ze || n3 instanceof Pe ? s3 instanceof Fe || s3 instanceof ze || s3 instanceof Pe ? void n3.data.set(s3.data.map((e4, t3) => n3.data[t3] + e4)) : void console.error(`Invalid assignment . Line ${e3.line}`) : void console.error(`Invalid assignment. Line ${e3.line}`);
      if ("-=" === r3) return (n3 instanceof Fe || n3 instanceof ze || n3 instanceof Pe) && (s3 instanceof Fe || s3 instanceof ze || s3 instanceof Pe) ? void n3.data.set(s3.data.map((e4, t3) => n3.data[t3] - e4)) : void console.error(`Invalid assignment. Line ${e3.line}`);
    }
    if (e3.variable instanceof ke) {
      if ("*" === e3.variable.operator) {
        s2 = this.getVariableName(e3.variable.right, t2);
        const r3 = t2.getVariable(s2);
        if (!(r3 && r3.value instanceof Me)) return void console.error(`Variable ${s2} is not a pointer. Line ${e3.line}`);
        n2 = r3.value.reference;
        let i3 = e3.variable.postfix;
        if (!i3) {
          let t3 = e3.variable.right;
          for (; t3 instanceof ke; ) {
            if (t3.postfix) {
              i3 = t3.postfix;
              break;
            }
            t3 = t3.right;
          }
        }
        i3 && (n2 = n2.getSubData(this, i3, t2));
      }
    } else {
      r2 = e3.variable.postfix, s2 = this.getVariableName(e3.variable, t2);
      const i3 = t2.getVariable(s2);
      if (null === i3) return void console.error(`Variable ${s2} not found. Line ${e3.line}`);
      n2 = i3.value;
    }
    if (n2 instanceof Me && (n2 = n2.reference), null === n2) return void console.error(`Variable ${s2} not found. Line ${e3.line}`);
    const i2 = this.evalExpression(e3.value, t2), a2 = e3.operator;
    if ("=" !== a2) {
      const s3 = n2.getSubData(this, r2, t2);
      if (s3 instanceof ze && i2 instanceof Fe) {
        const t3 = s3.data, n3 = i2.value;
        if ("+=" === a2) for (let e4 = 0; e4 < t3.length; ++e4) t3[e4] += n3;
        else if ("-=" === a2) for (let e4 = 0; e4 < t3.length; ++e4) t3[e4] -= n3;
        else if ("*=" === a2) for (let e4 = 0; e4 < t3.length; ++e4) t3[e4] *= n3;
        else if ("/=" === a2) for (let e4 = 0; e4 < t3.length; ++e4) t3[e4] /= n3;
        else if ("%=" === a2) for (let e4 = 0; e4 < t3.length; ++e4) t3[e4] %= n3;
        else if ("&=" === a2) for (let e4 = 0; e4 < t3.length; ++e4) t3[e4] &= n3;
        else if ("|=" === a2) for (let e4 = 0; e4 < t3.length; ++e4) t3[e4] |= n3;
        else if ("^=" === a2) for (let e4 = 0; e4 < t3.length; ++e4) t3[e4] ^= n3;
        else if ("<<=" === a2) for (let e4 = 0; e4 < t3.length; ++e4) t3[e4] <<= n3;
        else if (">>=" === a2) for (let e4 = 0; e4 < t3.length; ++e4) t3[e4] >>= n3;
        else console.error(`Invalid operator ${a2}. Line ${e3.line}`);
      } else if (s3 instanceof ze && i2 instanceof ze) {
        const t3 = s3.data, n3 = i2.data;
        if (t3.length !== n3.length) return void console.error(`Vector length mismatch: ${s3.typeInfo.getTypeName()}[${t3.length}] '${a2}' ${i2.typeInfo.getTypeName()}[${n3.length}]. Line ${e3.line}`);
        if ("+=" === a2) for (let e4 = 0; e4 < t3.length; ++e4) t3[e4] += n3[e4];
        else if ("-=" === a2) for (let e4 = 0; e4 < t3.length; ++e4) t3[e4] -= n3[e4];
        else if ("*=" === a2) for (let e4 = 0; e4 < t3.length; ++e4) t3[e4] *= n3[e4];
        else if ("/=" === a2) for (let e4 = 0; e4 < t3.length; ++e4) t3[e4] /= n3[e4];
        else if ("%=" === a2) for (let e4 = 0; e4 < t3.length; ++e4) t3[e4] %= n3[e4];
        else if ("&=" === a2) for (let e4 = 0; e4 < t3.length; ++e4) t3[e4] &= n3[e4];
        else if ("|=" === a2) for (let e4 = 0; e4 < t3.length; ++e4) t3[e4] |= n3[e4];
        else if ("^=" === a2) for (let e4 = 0; e4 < t3.length; ++e4) t3[e4] ^= n3[e4];
        else if ("<<=" === a2) for (let e4 = 0; e4 < t3.length; ++e4) t3[e4] <<= n3[e4];
        else if (">>=" === a2) for (let e4 = 0; e4 < t3.length; ++e4) t3[e4] >>= n3[e4];
        else console.error(`Invalid operator ${a2}. Line ${e3.line}`);
      } else {
        if (!(s3 instanceof Fe && i2 instanceof Fe)) return void console.error(`Invalid type for ${e3.operator} operator. Line ${e3.line}`);
        "+=" === a2 ? s3.value += i2.value : "-=" === a2 ? s3.value -= i2.value : "*=" === a2 ? s3.value *= i2.value : "/=" === a2 ? s3.value /= i2.value : "%=" === a2 ? s3.value %= i2.value : "&=" === a2 ? s3.value &= i2.value : "|=" === a2 ? s3.value |= i2.value : "^=" === a2 ? s3.value ^= i2.value : "<<=" === a2 ? s3.value <<= i2.value : ">>=" === a2 ? s3.value >>= i2.value : console.error(`Invalid operator ${a2}. Line ${e3.line}`);
      }
      return void (n2 instanceof We && n2.setDataValue(this, s3, r2, t2));
    }
    if (n2 instanceof We) n2.setDataValue(this, i2, r2, t2);
    else if (r2) {
      if (!(n2 instanceof ze || n2 instanceof Pe)) return void console.error(`Variable ${s2} is not a vector or matrix. Line ${e3.line}`);
      if (r2 instanceof be) {
        const a3 = this.evalExpression(r2.index, t2).value;
        if (n2 instanceof ze) {
          if (!(i2 instanceof Fe)) return void console.error(`Invalid assignment to ${s2}. Line ${e3.line}`);
          n2.data[a3] = i2.value;
        } else {
          if (!(n2 instanceof Pe)) return void console.error(`Invalid assignment to ${s2}. Line ${e3.line}`);
          {
            const a4 = this.evalExpression(r2.index, t2).value;
            if (a4 < 0) return void console.error(`Invalid assignment to ${s2}. Line ${e3.line}`);
            if (!(i2 instanceof ze)) return void console.error(`Invalid assignment to ${s2}. Line ${e3.line}`);
            {
              const t3 = n2.typeInfo.getTypeName();
              if ("mat2x2" === t3 || "mat2x2f" === t3 || "mat2x2h" === t3) {
                if (!(a4 < 2 && 2 === i2.data.length)) return void console.error(`Invalid assignment to ${s2}. Line ${e3.line}`);
                n2.data[2 * a4] = i2.data[0], n2.data[2 * a4 + 1] = i2.data[1];
              } else if ("mat2x3" === t3 || "mat2x3f" === t3 || "mat2x3h" === t3) {
                if (!(a4 < 2 && 3 === i2.data.length)) return void console.error(`Invalid assignment to ${s2}. Line ${e3.line}`);
                n2.data[3 * a4] = i2.data[0], n2.data[3 * a4 + 1] = i2.data[1], n2.data[3 * a4 + 2] = i2.data[2];
              } else if ("mat2x4" === t3 || "mat2x4f" === t3 || "mat2x4h" === t3) {
                if (!(a4 < 2 && 4 === i2.data.length)) return void console.error(`Invalid assignment to ${s2}. Line ${e3.line}`);
                n2.data[4 * a4] = i2.data[0], n2.data[4 * a4 + 1] = i2.data[1], n2.data[4 * a4 + 2] = i2.data[2], n2.data[4 * a4 + 3] = i2.data[3];
              } else if ("mat3x2" === t3 || "mat3x2f" === t3 || "mat3x2h" === t3) {
                if (!(a4 < 3 && 2 === i2.data.length)) return void console.error(`Invalid assignment to ${s2}. Line ${e3.line}`);
                n2.data[2 * a4] = i2.data[0], n2.data[2 * a4 + 1] = i2.data[1];
              } else if ("mat3x3" === t3 || "mat3x3f" === t3 || "mat3x3h" === t3) {
                if (!(a4 < 3 && 3 === i2.data.length)) return void console.error(`Invalid assignment to ${s2}. Line ${e3.line}`);
                n2.data[3 * a4] = i2.data[0], n2.data[3 * a4 + 1] = i2.data[1], n2.data[3 * a4 + 2] = i2.data[2];
              } else if ("mat3x4" === t3 || "mat3x4f" === t3 || "mat3x4h" === t3) {
                if (!(a4 < 3 && 4 === i2.data.length)) return void console.error(`Invalid assignment to ${s2}. Line ${e3.line}`);
                n2.data[4 * a4] = i2.data[0], n2.data[4 * a4 + 1] = i2.data[1], n2.data[4 * a4 + 2] = i2.data[2], n2.data[4 * a4 + 3] = i2.data[3];
              } else if ("mat4x2" === t3 || "mat4x2f" === t3 || "mat4x2h" === t3) {
                if (!(a4 < 4 && 2 === i2.data.length)) return void console.error(`Invalid assignment to ${s2}. Line ${e3.line}`);
                n2.data[2 * a4] = i2.data[0], n2.data[2 * a4 + 1] = i2.data[1];
              } else if ("mat4x3" === t3 || "mat4x3f" === t3 || "mat4x3h" === t3) {
                if (!(a4 < 4 && 3 === i2.data.length)) return void console.error(`Invalid assignment to ${s2}. Line ${e3.line}`);
                n2.data[3 * a4] = i2.data[0], n2.data[3 * a4 + 1] = i2.data[1], n2.data[3 * a4 + 2] = i2.data[2];
              } else {
                if ("mat4x4" !== t3 && "mat4x4f" !== t3 && "mat4x4h" !== t3) return void console.error(`Invalid assignment to ${s2}. Line ${e3.line}`);
                if (!(a4 < 4 && 4 === i2.data.length)) return void console.error(`Invalid assignment to ${s2}. Line ${e3.line}`);
                n2.data[4 * a4] = i2.data[0], n2.data[4 * a4 + 1] = i2.data[1], n2.data[4 * a4 + 2] = i2.data[2], n2.data[4 * a4 + 3] = i2.data[3];
              }
            }
          }
        }
      } else if (r2 instanceof pe) {
        const t3 = r2.value;
        if (!(n2 instanceof ze)) return void console.error(`Invalid assignment to ${t3}. Variable ${s2} is not a vector. Line ${e3.line}`);
        if (i2 instanceof Fe) {
          if (t3.length > 1) return void console.error(`Invalid assignment to ${t3} for variable ${s2}. Line ${e3.line}`);
          if ("x" === t3) n2.data[0] = i2.value;
          else if ("y" === t3) {
            if (n2.data.length < 2) return void console.error(`Invalid assignment to ${t3} for variable ${s2}. Line ${e3.line}`);
            n2.data[1] = i2.value;
          } else if ("z" === t3) {
            if (n2.data.length < 3) return void console.error(`Invalid assignment to ${t3} for variable ${s2}. Line ${e3.line}`);
            n2.data[2] = i2.value;
          } else if ("w" === t3) {
            if (n2.data.length < 4) return void console.error(`Invalid assignment to ${t3} for variable ${s2}. Line ${e3.line}`);
            n2.data[3] = i2.value;
          }
        } else {
          if (!(i2 instanceof ze)) return void console.error(`Invalid assignment to ${s2}. Line ${e3.line}`);
          if (t3.length !== i2.data.length) return void console.error(`Invalid assignment to ${t3} for variable ${s2}. Line ${e3.line}`);
          for (let r3 = 0; r3 < t3.length; ++r3) {
            const a3 = t3[r3];
            if ("x" === a3 || "r" === a3) n2.data[0] = i2.data[r3];
            else if ("y" === a3 || "g" === a3) {
              if (i2.data.length < 2) return void console.error(`Invalid assignment to ${a3} for variable ${s2}. Line ${e3.line}`);
              n2.data[1] = i2.data[r3];
            } else if ("z" === a3 || "b" === a3) {
              if (i2.data.length < 3) return void console.error(`Invalid assignment to ${a3} for variable ${s2}. Line ${e3.line}`);
              n2.data[2] = i2.data[r3];
            } else {
              if ("w" !== a3 && "a" !== a3) return void console.error(`Invalid assignment to ${a3} for variable ${s2}. Line ${e3.line}`);
              if (i2.data.length < 4) return void console.error(`Invalid assignment to ${a3} for variable ${s2}. Line ${e3.line}`);
              n2.data[3] = i2.data[r3];
            }
          }
        }
      }
    } else n2 instanceof Fe && i2 instanceof Fe ? n2.value = i2.value : n2 instanceof ze && i2 instanceof ze || n2 instanceof Pe && i2 instanceof Pe ? n2.data.set(i2.data) : console.error(`Invalid assignment to ${s2}. Line ${e3.line}`);
  }
  _function(e3, t2) {
    const n2 = new ft(e3);
    t2.functions.set(e3.name, n2);
  }
  _const(e3, t2) {
    let n2 = null;
    null !== e3.value && (n2 = this.evalExpression(e3.value, t2)), t2.createVariable(e3.name, n2, e3);
  }
  _override(e3, t2) {
    const n2 = t2.getVariable(e3.name);
    if (null === n2 || null === n2.value) {
      let n3 = null;
      null !== e3.value && (n3 = this.evalExpression(e3.value, t2)), t2.createVariable(e3.name, n3, e3);
    }
  }
  _let(e3, t2) {
    let n2 = null;
    if (null !== e3.value) {
      if (n2 = this.evalExpression(e3.value, t2), null === n2) return void console.error(`Invalid value for variable ${e3.name}. Line ${e3.line}`);
      e3.value instanceof ke || (n2 = n2.clone());
    } else {
      const s2 = e3.type.name;
      if (_yt._defaultableTypes.has(s2)) {
        const s3 = new de(e3.type, []);
        n2 = this._evalCreate(s3, t2);
      }
    }
    t2.createVariable(e3.name, n2, e3);
  }
  _var(e3, t2) {
    let n2 = null;
    if (null !== e3.value) {
      if (n2 = this.evalExpression(e3.value, t2), null === n2) return void console.error(`Invalid value for variable ${e3.name}. Line ${e3.line}`);
      e3.value instanceof ke || (n2 = n2.clone());
    } else {
      if (null === e3.type) return void console.error(`Variable ${e3.name} has no type. Line ${e3.line}`);
      const s2 = e3.type.name;
      if (_yt._defaultableTypes.has(s2) || e3.type instanceof ce || e3.type instanceof oe || e3.type instanceof le) {
        const s3 = new de(e3.type, []);
        n2 = this._evalCreate(s3, t2);
      }
      if (null === n2) {
        const t3 = this.getTypeInfo(e3.type);
        null !== t3 && (n2 = new We(new ArrayBuffer(0), t3, 0));
      }
    }
    t2.createVariable(e3.name, n2, e3);
  }
  _switch(e3, t2) {
    t2 = t2.clone();
    const n2 = this.evalExpression(e3.condition, t2);
    if (!(n2 instanceof Fe)) return console.error(`Invalid if condition. Line ${e3.line}`), null;
    let s2 = null;
    for (const r2 of e3.cases) if (r2 instanceof Ae) for (const i2 of r2.selectors) {
      if (i2 instanceof Se) {
        s2 = r2;
        continue;
      }
      const a2 = this.evalExpression(i2, t2);
      if (!(a2 instanceof Fe)) return console.error(`Invalid case selector. Line ${e3.line}`), null;
      if (a2.value === n2.value) return this._execStatements(r2.body, t2);
    }
    else r2 instanceof $e && (s2 = r2);
    return s2 ? this._execStatements(s2.body, t2) : null;
  }
  _if(e3, t2) {
    t2 = t2.clone();
    const n2 = this.evalExpression(e3.condition, t2);
    if (!(n2 instanceof Fe)) return console.error(`Invalid if condition. Line ${e3.line}`), null;
    if (n2.value) return this._execStatements(e3.body, t2);
    for (const n3 of e3.elseif) {
      const s2 = this.evalExpression(n3.condition, t2);
      if (!(s2 instanceof Fe)) return console.error(`Invalid if condition. Line ${e3.line}`), null;
      if (s2.value) return this._execStatements(n3.body, t2);
    }
    return e3.else ? this._execStatements(e3.else, t2) : null;
  }
  _getScalarValue(e3) {
    return e3 instanceof Fe ? e3.value : (console.error("Expected scalar value.", e3), 0);
  }
  _for(e3, t2) {
    for (t2 = t2.clone(), this.execStatement(e3.init, t2); this._getScalarValue(this.evalExpression(e3.condition, t2)); ) {
      const n2 = this._execStatements(e3.body, t2);
      if (n2 === _yt._breakObj) break;
      if (null !== n2 && n2 !== _yt._continueObj) return n2;
      this.execStatement(e3.increment, t2);
    }
    return null;
  }
  _loop(e3, t2) {
    for (t2 = t2.clone(); ; ) {
      const n2 = this._execStatements(e3.body, t2);
      if (n2 === _yt._breakObj) break;
      if (n2 === _yt._continueObj) {
        if (e3.continuing) {
          if (this._execStatements(e3.continuing.body, t2) === _yt._breakObj) break;
        }
      } else if (null !== n2) return n2;
    }
    return null;
  }
  _while(e3, t2) {
    for (t2 = t2.clone(); this._getScalarValue(this.evalExpression(e3.condition, t2)); ) {
      const n2 = this._execStatements(e3.body, t2);
      if (n2 === _yt._breakObj) break;
      if (n2 !== _yt._continueObj && null !== n2) return n2;
    }
    return null;
  }
  _evalBitcast(e3, t2) {
    const n2 = this.evalExpression(e3.value, t2), s2 = e3.type;
    if (n2 instanceof Fe) {
      const e4 = rt(n2.value, n2.typeInfo.name, s2.name);
      return new Fe(e4, this.getTypeInfo(s2));
    }
    if (n2 instanceof ze) {
      const t3 = n2.typeInfo.getTypeName();
      let r2 = "";
      if (t3.endsWith("f")) r2 = "f32";
      else if (t3.endsWith("i")) r2 = "i32";
      else if (t3.endsWith("u")) r2 = "u32";
      else if (t3.endsWith("b")) r2 = "bool";
      else {
        if (!t3.endsWith("h")) return console.error(`Unknown vector type ${t3}. Line ${e3.line}`), null;
        r2 = "f16";
      }
      const i2 = s2.getTypeName();
      let a2 = "";
      if (i2.endsWith("f")) a2 = "f32";
      else if (i2.endsWith("i")) a2 = "i32";
      else if (i2.endsWith("u")) a2 = "u32";
      else if (i2.endsWith("b")) a2 = "bool";
      else {
        if (!i2.endsWith("h")) return console.error(`Unknown vector type ${a2}. Line ${e3.line}`), null;
        a2 = "f16";
      }
      const o2 = (function(e4, t4, n3) {
        if (t4 === n3) return e4;
        const s3 = new Array(e4.length);
        for (let r3 = 0; r3 < e4.length; r3++) s3[r3] = rt(e4[r3], t4, n3);
        return s3;
      })(Array.from(n2.data), r2, a2);
      return new ze(o2, this.getTypeInfo(s2));
    }
    return console.error(`TODO: bitcast for ${n2.typeInfo.name}. Line ${e3.line}`), null;
  }
  _evalConst(e3, t2) {
    return t2.getVariableValue(e3.name).clone().getSubData(this, e3.postfix, t2);
  }
  _evalCreate(e3, t2) {
    var r2;
    if (e3 instanceof de) {
      if (null === e3.type) return Be.void;
      switch (e3.type.getTypeName()) {
        case "bool":
        case "i32":
        case "u32":
        case "f32":
        case "f16":
          return this._callConstructorValue(e3, t2);
        case "atomic<u32>":
          return new Fe(0, this.getTypeInfo("u32"));
        case "atomic<i32>":
          return new Fe(0, this.getTypeInfo("i32"));
        case "vec2":
        case "vec3":
        case "vec4":
        case "vec2f":
        case "vec3f":
        case "vec4f":
        case "vec2h":
        case "vec3h":
        case "vec4h":
        case "vec2i":
        case "vec3i":
        case "vec4i":
        case "vec2u":
        case "vec3u":
        case "vec4u":
        case "vec2b":
        case "vec3b":
        case "vec4b":
          return this._callConstructorVec(e3, t2);
        case "mat2x2":
        case "mat2x2f":
        case "mat2x2h":
        case "mat2x3":
        case "mat2x3f":
        case "mat2x3h":
        case "mat2x4":
        case "mat2x4f":
        case "mat2x4h":
        case "mat3x2":
        case "mat3x2f":
        case "mat3x2h":
        case "mat3x3":
        case "mat3x3f":
        case "mat3x3h":
        case "mat3x4":
        case "mat3x4f":
        case "mat3x4h":
        case "mat4x2":
        case "mat4x2f":
        case "mat4x2h":
        case "mat4x3":
        case "mat4x3f":
        case "mat4x3h":
        case "mat4x4":
        case "mat4x4f":
        case "mat4x4h":
          return this._callConstructorMatrix(e3, t2);
      }
    }
    const i2 = e3 instanceof de ? e3.type.name : e3.name, a2 = e3 instanceof de ? this.getTypeInfo(e3.type) : this.getTypeInfo(e3.name);
    if (null === a2) return console.error(`Unknown type ${i2}. Line ${e3.line}`), null;
    if (0 === a2.size) return null;
    const o2 = new We(new ArrayBuffer(a2.size), a2, 0);
    if (a2 instanceof n) {
      if (e3.args) for (let n2 = 0; n2 < e3.args.length; ++n2) {
        const s2 = a2.members[n2], r3 = e3.args[n2], i3 = this.evalExpression(r3, t2);
        o2.setData(this, i3, s2.type, s2.offset, t2);
      }
    } else if (a2 instanceof s) {
      let n2 = 0;
      if (e3.args) for (let s2 = 0; s2 < e3.args.length; ++s2) {
        const i3 = e3.args[s2], l2 = this.evalExpression(i3, t2);
        null === a2.format && ("x32" === (null === (r2 = l2.typeInfo) || void 0 === r2 ? void 0 : r2.name) ? a2.format = this.getTypeInfo("i32") : a2.format = l2.typeInfo), o2.setData(this, l2, a2.format, n2, t2), n2 += a2.stride;
      }
    } else console.error(`Unknown type "${i2}". Line ${e3.line}`);
    return e3 instanceof de ? o2.getSubData(this, e3.postfix, t2) : o2;
  }
  _evalLiteral(e3, t2) {
    const n2 = this.getTypeInfo(e3.type), s2 = n2.name;
    if ("x32" === s2 || "u32" === s2 || "f32" === s2 || "f16" === s2 || "i32" === s2 || "bool" === s2) {
      return new Fe(e3.scalarValue, n2);
    }
    return "vec2" === s2 || "vec3" === s2 || "vec4" === s2 || "vec2f" === s2 || "vec3f" === s2 || "vec4f" === s2 || "vec2h" === s2 || "vec3h" === s2 || "vec4h" === s2 || "vec2i" === s2 || "vec3i" === s2 || "vec4i" === s2 || "vec2u" === s2 || "vec3u" === s2 || "vec4u" === s2 ? this._callConstructorVec(e3, t2) : "mat2x2" === s2 || "mat2x3" === s2 || "mat2x4" === s2 || "mat3x2" === s2 || "mat3x3" === s2 || "mat3x4" === s2 || "mat4x2" === s2 || "mat4x3" === s2 || "mat4x4" === s2 || "mat2x2f" === s2 || "mat2x3f" === s2 || "mat2x4f" === s2 || "mat3x2f" === s2 || "mat3x3f" === s2 || "mat3x4f" === s2 || "mat4x2f" === s2 || "mat4x3f" === s2 || "mat4x4f" === s2 || "mat2x2h" === s2 || "mat2x3h" === s2 || "mat2x4h" === s2 || "mat3x2h" === s2 || "mat3x3h" === s2 || "mat3x4h" === s2 || "mat4x2h" === s2 || "mat4x3h" === s2 || "mat4x4h" === s2 ? this._callConstructorMatrix(e3, t2) : e3.value;
  }
  _evalVariable(e3, t2) {
    const n2 = t2.getVariableValue(e3.name);
    return null === n2 ? n2 : n2.getSubData(this, e3.postfix, t2);
  }
  _resolveAtomicType(e3) {
    return e3 instanceof i && "atomic" === e3.name && e3.format ? e3.format : e3;
  }
  _maxFormatTypeInfo(e3) {
    e3 = e3.map((e4) => this._resolveAtomicType(e4));
    let t2 = e3[0];
    if (null == t2) return null;
    if ("f32" === t2.name) return t2;
    for (let n2 = 1; n2 < e3.length; ++n2) {
      const s2 = _yt._priority.get(t2.name);
      _yt._priority.get(e3[n2].name) < s2 && (t2 = e3[n2]);
    }
    return "x32" === t2.name ? this.getTypeInfo("i32") : t2;
  }
  _evalUnaryOp(e3, t2) {
    const n2 = this._evalUnaryOpValue(e3, t2);
    return null !== n2 && e3.postfix && "*" !== e3.operator ? n2.getSubData(this, e3.postfix, t2) : n2;
  }
  _evalUnaryOpValue(e3, t2) {
    const n2 = this.evalExpression(e3.right, t2);
    if ("&" === e3.operator) return new Me(n2);
    if ("*" === e3.operator) return n2 instanceof Me ? n2.reference.getSubData(this, e3.postfix, t2) : (console.error(`Invalid dereference. Line ${e3.line}`), null);
    const s2 = n2 instanceof Fe ? n2.value : n2 instanceof ze || n2 instanceof Pe ? Array.from(n2.data) : n2 instanceof We ? n2.toArray() : null;
    switch (e3.operator) {
      case "+": {
        if (je(s2)) {
          const e5 = s2.map((e6, t4) => +e6);
          return this._makeCwiseData(e5, n2.typeInfo);
        }
        const e4 = s2, t3 = this._maxFormatTypeInfo([n2.typeInfo, n2.typeInfo]);
        return new Fe(+e4, t3);
      }
      case "-": {
        if (je(s2)) {
          const e5 = s2.map((e6, t4) => -e6);
          return this._makeCwiseData(e5, n2.typeInfo);
        }
        const e4 = s2, t3 = this._maxFormatTypeInfo([n2.typeInfo, n2.typeInfo]);
        return new Fe(-e4, t3);
      }
      case "!": {
        if (je(s2)) {
          const e5 = s2.map((e6, t4) => e6 ? 0 : 1);
          return this._makeCwiseData(e5, n2.typeInfo);
        }
        const e4 = s2, t3 = this._maxFormatTypeInfo([n2.typeInfo, n2.typeInfo]);
        return new Fe(e4 ? 0 : 1, t3);
      }
      case "~": {
        if (je(s2)) {
          const e5 = s2.map((e6, t4) => ~e6);
          return this._makeCwiseData(e5, n2.typeInfo);
        }
        const e4 = s2, t3 = this._maxFormatTypeInfo([n2.typeInfo, n2.typeInfo]);
        return new Fe(~e4, t3);
      }
    }
    return console.error(`Invalid unary operator ${e3.operator}. Line ${e3.line}`), null;
  }
  _isMatrixType(e3) {
    return e3.typeInfo.getTypeName().startsWith("mat");
  }
  _isVectorType(e3) {
    return e3.typeInfo.getTypeName().startsWith("vec");
  }
  _makeCwiseData(e3, t2) {
    return t2.getTypeName().startsWith("mat") ? new Pe(e3, t2) : new ze(e3, t2);
  }
  _evalBinaryOp(e3, t2) {
    const n2 = this._evalBinaryOpValue(e3, t2);
    return null !== n2 && e3.postfix ? n2.getSubData(this, e3.postfix, t2) : n2;
  }
  _evalBinaryOpValue(e3, t2) {
    const n2 = this.evalExpression(e3.left, t2), s2 = this.evalExpression(e3.right, t2), r2 = n2 instanceof Fe ? n2.value : n2 instanceof ze || n2 instanceof Pe ? Array.from(n2.data) : n2 instanceof We ? n2.toArray() : null, i2 = s2 instanceof Fe ? s2.value : s2 instanceof ze || s2 instanceof Pe ? Array.from(s2.data) : s2 instanceof We ? s2.toArray() : null;
    switch (e3.operator) {
      case "+": {
        if (je(r2) && je(i2)) {
          const t4 = r2, a3 = i2;
          if (t4.length !== a3.length) return console.error(`Vector length mismatch: ${n2.typeInfo.getTypeName()}[${t4.length}] '${e3.operator}' ${s2.typeInfo.getTypeName()}[${a3.length}]. Line ${e3.line}.`), null;
          const o3 = t4.map((e4, t5) => e4 + a3[t5]);
          return this._makeCwiseData(o3, n2.typeInfo);
        }
        if (je(r2)) {
          const e4 = i2, t4 = r2.map((t5, n3) => t5 + e4);
          return this._makeCwiseData(t4, n2.typeInfo);
        }
        if (je(i2)) {
          const e4 = r2, t4 = i2.map((t5, n3) => e4 + t5);
          return this._makeCwiseData(t4, s2.typeInfo);
        }
        const t3 = r2, a2 = i2, o2 = this._maxFormatTypeInfo([n2.typeInfo, s2.typeInfo]);
        return new Fe(t3 + a2, o2);
      }
      case "-": {
        if (je(r2) && je(i2)) {
          const t4 = r2, a3 = i2;
          if (t4.length !== a3.length) return console.error(`Vector length mismatch: ${n2.typeInfo.getTypeName()}[${t4.length}] '${e3.operator}' ${s2.typeInfo.getTypeName()}[${a3.length}]. Line ${e3.line}.`), null;
          const o3 = t4.map((e4, t5) => e4 - a3[t5]);
          return this._makeCwiseData(o3, n2.typeInfo);
        }
        if (je(r2)) {
          const e4 = i2, t4 = r2.map((t5, n3) => t5 - e4);
          return this._makeCwiseData(t4, n2.typeInfo);
        }
        if (je(i2)) {
          const e4 = r2, t4 = i2.map((t5, n3) => e4 - t5);
          return this._makeCwiseData(t4, s2.typeInfo);
        }
        const t3 = r2, a2 = i2, o2 = this._maxFormatTypeInfo([n2.typeInfo, s2.typeInfo]);
        return new Fe(t3 - a2, o2);
      }
      case "*": {
        if (je(r2) && je(i2)) {
          const t4 = r2, a3 = i2;
          if (this._isMatrixType(n2) && this._isMatrixType(s2)) {
            const r3 = (function(e4, t5, n3, s3) {
              if (void 0 === xt[t5.name] || void 0 === xt[s3.name]) return null;
              const r4 = xt[t5.name][0], i4 = xt[t5.name][1], a4 = xt[s3.name][0];
              if (r4 !== xt[s3.name][1]) return null;
              const o4 = new Array(a4 * i4);
              for (let t6 = 0; t6 < i4; t6++) for (let s4 = 0; s4 < a4; s4++) {
                let l3 = 0;
                for (let a5 = 0; a5 < r4; a5++) l3 += e4[a5 * i4 + t6] * n3[s4 * r4 + a5];
                o4[t6 * a4 + s4] = l3;
              }
              return o4;
            })(t4, n2.typeInfo, a3, s2.typeInfo);
            if (null === r3) return console.error(`Matrix multiplication failed. Line ${e3.line}.`), null;
            const i3 = xt[s2.typeInfo.name][0], o3 = xt[n2.typeInfo.name][1], l2 = this.getTypeInfo(`mat${i3}x${o3}f`);
            return new Pe(r3, l2);
          }
          if (this._isMatrixType(n2) && this._isVectorType(s2)) {
            const r3 = (function(e4, t5, n3, s3) {
              if (void 0 === xt[t5.name] || void 0 === gt[s3.name]) return null;
              const r4 = xt[t5.name][0], i3 = xt[t5.name][1];
              if (r4 !== n3.length) return null;
              const a4 = new Array(i3);
              for (let t6 = 0; t6 < i3; t6++) {
                let s4 = 0;
                for (let a5 = 0; a5 < r4; a5++) s4 += e4[a5 * i3 + t6] * n3[a5];
                a4[t6] = s4;
              }
              return a4;
            })(t4, n2.typeInfo, a3, s2.typeInfo);
            return null === r3 ? (console.error(`Matrix vector multiplication failed. Line ${e3.line}.`), null) : this._makeCwiseData(r3, s2.typeInfo);
          }
          if (this._isVectorType(n2) && this._isMatrixType(s2)) {
            const r3 = (function(e4, t5, n3, s3) {
              if (void 0 === gt[t5.name] || void 0 === xt[s3.name]) return null;
              const r4 = xt[s3.name][0], i3 = xt[s3.name][1];
              if (i3 !== e4.length) return null;
              const a4 = [];
              for (let t6 = 0; t6 < r4; t6++) {
                let s4 = 0;
                for (let a5 = 0; a5 < i3; a5++) s4 += e4[a5] * n3[a5 * r4 + t6];
                a4[t6] = s4;
              }
              return a4;
            })(t4, n2.typeInfo, a3, s2.typeInfo);
            return null === r3 ? (console.error(`Matrix vector multiplication failed. Line ${e3.line}.`), null) : this._makeCwiseData(r3, n2.typeInfo);
          }
          {
            if (t4.length !== a3.length) return console.error(`Vector length mismatch: ${n2.typeInfo.getTypeName()}[${t4.length}] '${e3.operator}' ${s2.typeInfo.getTypeName()}[${a3.length}]. Line ${e3.line}.`), null;
            const r3 = t4.map((e4, t5) => e4 * a3[t5]);
            return this._makeCwiseData(r3, n2.typeInfo);
          }
        }
        if (je(r2)) {
          const e4 = i2, t4 = r2.map((t5, n3) => t5 * e4);
          return this._isMatrixType(n2) ? new Pe(t4, n2.typeInfo) : this._makeCwiseData(t4, n2.typeInfo);
        }
        if (je(i2)) {
          const e4 = r2, t4 = i2.map((t5, n3) => e4 * t5);
          return s2 instanceof Pe ? new Pe(t4, s2.typeInfo) : this._makeCwiseData(t4, s2.typeInfo);
        }
        const t3 = r2, a2 = i2, o2 = this._maxFormatTypeInfo([n2.typeInfo, s2.typeInfo]);
        return new Fe(t3 * a2, o2);
      }
      case "%": {
        if (je(r2) && je(i2)) {
          const t4 = r2, a3 = i2;
          if (t4.length !== a3.length) return console.error(`Vector length mismatch: ${n2.typeInfo.getTypeName()}[${t4.length}] '${e3.operator}' ${s2.typeInfo.getTypeName()}[${a3.length}]. Line ${e3.line}.`), null;
          const o3 = t4.map((e4, t5) => e4 % a3[t5]);
          return this._makeCwiseData(o3, n2.typeInfo);
        }
        if (je(r2)) {
          const e4 = i2, t4 = r2.map((t5, n3) => t5 % e4);
          return this._makeCwiseData(t4, n2.typeInfo);
        }
        if (je(i2)) {
          const e4 = r2, t4 = i2.map((t5, n3) => e4 % t5);
          return this._makeCwiseData(t4, s2.typeInfo);
        }
        const t3 = r2, a2 = i2, o2 = this._maxFormatTypeInfo([n2.typeInfo, s2.typeInfo]);
        return new Fe(t3 % a2, o2);
      }
      case "/": {
        if (je(r2) && je(i2)) {
          const t4 = r2, a3 = i2;
          if (t4.length !== a3.length) return console.error(`Vector length mismatch: ${n2.typeInfo.getTypeName()}[${t4.length}] '${e3.operator}' ${s2.typeInfo.getTypeName()}[${a3.length}]. Line ${e3.line}.`), null;
          const o3 = t4.map((e4, t5) => e4 / a3[t5]);
          return this._makeCwiseData(o3, n2.typeInfo);
        }
        if (je(r2)) {
          const e4 = i2, t4 = r2.map((t5, n3) => t5 / e4);
          return this._makeCwiseData(t4, n2.typeInfo);
        }
        if (je(i2)) {
          const e4 = r2, t4 = i2.map((t5, n3) => e4 / t5);
          return this._makeCwiseData(t4, s2.typeInfo);
        }
        const t3 = r2, a2 = i2, o2 = this._maxFormatTypeInfo([n2.typeInfo, s2.typeInfo]);
        return new Fe(t3 / a2, o2);
      }
      case "&": {
        if (je(r2) && je(i2)) {
          const t4 = r2, a3 = i2;
          if (t4.length !== a3.length) return console.error(`Vector length mismatch: ${n2.typeInfo.getTypeName()}[${t4.length}] '${e3.operator}' ${s2.typeInfo.getTypeName()}[${a3.length}]. Line ${e3.line}.`), null;
          const o3 = t4.map((e4, t5) => e4 & a3[t5]);
          return this._makeCwiseData(o3, n2.typeInfo);
        }
        if (je(r2)) {
          const e4 = i2, t4 = r2.map((t5, n3) => t5 & e4);
          return this._makeCwiseData(t4, n2.typeInfo);
        }
        if (je(i2)) {
          const e4 = r2, t4 = i2.map((t5, n3) => e4 & t5);
          return this._makeCwiseData(t4, s2.typeInfo);
        }
        const t3 = r2, a2 = i2, o2 = this._maxFormatTypeInfo([n2.typeInfo, s2.typeInfo]);
        return new Fe(t3 & a2, o2);
      }
      case "|": {
        if (je(r2) && je(i2)) {
          const t4 = r2, a3 = i2;
          if (t4.length !== a3.length) return console.error(`Vector length mismatch: ${n2.typeInfo.getTypeName()}[${t4.length}] '${e3.operator}' ${s2.typeInfo.getTypeName()}[${a3.length}]. Line ${e3.line}.`), null;
          const o3 = t4.map((e4, t5) => e4 | a3[t5]);
          return this._makeCwiseData(o3, n2.typeInfo);
        }
        if (je(r2)) {
          const e4 = i2, t4 = r2.map((t5, n3) => t5 | e4);
          return this._makeCwiseData(t4, n2.typeInfo);
        }
        if (je(i2)) {
          const e4 = r2, t4 = i2.map((t5, n3) => e4 | t5);
          return this._makeCwiseData(t4, s2.typeInfo);
        }
        const t3 = r2, a2 = i2, o2 = this._maxFormatTypeInfo([n2.typeInfo, s2.typeInfo]);
        return new Fe(t3 | a2, o2);
      }
      case "^": {
        if (je(r2) && je(i2)) {
          const t4 = r2, a3 = i2;
          if (t4.length !== a3.length) return console.error(`Vector length mismatch: ${n2.typeInfo.getTypeName()}[${t4.length}] '${e3.operator}' ${s2.typeInfo.getTypeName()}[${a3.length}]. Line ${e3.line}.`), null;
          const o3 = t4.map((e4, t5) => e4 ^ a3[t5]);
          return this._makeCwiseData(o3, n2.typeInfo);
        }
        if (je(r2)) {
          const e4 = i2, t4 = r2.map((t5, n3) => t5 ^ e4);
          return this._makeCwiseData(t4, n2.typeInfo);
        }
        if (je(i2)) {
          const e4 = r2, t4 = i2.map((t5, n3) => e4 ^ t5);
          return this._makeCwiseData(t4, s2.typeInfo);
        }
        const t3 = r2, a2 = i2, o2 = this._maxFormatTypeInfo([n2.typeInfo, s2.typeInfo]);
        return new Fe(t3 ^ a2, o2);
      }
      case "<<": {
        if (je(r2) && je(i2)) {
          const t4 = r2, a3 = i2;
          if (t4.length !== a3.length) return console.error(`Vector length mismatch: ${n2.typeInfo.getTypeName()}[${t4.length}] '${e3.operator}' ${s2.typeInfo.getTypeName()}[${a3.length}]. Line ${e3.line}.`), null;
          const o3 = t4.map((e4, t5) => e4 << a3[t5]);
          return this._makeCwiseData(o3, n2.typeInfo);
        }
        if (je(r2)) {
          const e4 = i2, t4 = r2.map((t5, n3) => t5 << e4);
          return this._makeCwiseData(t4, n2.typeInfo);
        }
        if (je(i2)) {
          const e4 = r2, t4 = i2.map((t5, n3) => e4 << t5);
          return this._makeCwiseData(t4, s2.typeInfo);
        }
        const t3 = r2, a2 = i2, o2 = this._maxFormatTypeInfo([n2.typeInfo, s2.typeInfo]);
        return new Fe(t3 << a2, o2);
      }
      case ">>": {
        if (je(r2) && je(i2)) {
          const t4 = r2, a3 = i2;
          if (t4.length !== a3.length) return console.error(`Vector length mismatch: ${n2.typeInfo.getTypeName()}[${t4.length}] '${e3.operator}' ${s2.typeInfo.getTypeName()}[${a3.length}]. Line ${e3.line}.`), null;
          const o3 = t4.map((e4, t5) => e4 >> a3[t5]);
          return this._makeCwiseData(o3, n2.typeInfo);
        }
        if (je(r2)) {
          const e4 = i2, t4 = r2.map((t5, n3) => t5 >> e4);
          return this._makeCwiseData(t4, n2.typeInfo);
        }
        if (je(i2)) {
          const e4 = r2, t4 = i2.map((t5, n3) => e4 >> t5);
          return this._makeCwiseData(t4, s2.typeInfo);
        }
        const t3 = r2, a2 = i2, o2 = this._maxFormatTypeInfo([n2.typeInfo, s2.typeInfo]);
        return new Fe(t3 >> a2, o2);
      }
      case ">":
        if (je(r2) && je(i2)) {
          const t3 = r2, a2 = i2;
          if (t3.length !== a2.length) return console.error(`Vector length mismatch: ${n2.typeInfo.getTypeName()}[${t3.length}] '${e3.operator}' ${s2.typeInfo.getTypeName()}[${a2.length}]. Line ${e3.line}.`), null;
          const o2 = t3.map((e4, t4) => e4 > a2[t4] ? 1 : 0);
          return this._makeCwiseData(o2, n2.typeInfo);
        }
        if (je(r2)) {
          const e4 = i2, t3 = r2.map((t4, n3) => t4 > e4 ? 1 : 0);
          return this._makeCwiseData(t3, n2.typeInfo);
        }
        if (je(i2)) {
          const e4 = r2, t3 = i2.map((t4, n3) => e4 > t4 ? 1 : 0);
          return this._makeCwiseData(t3, s2.typeInfo);
        }
        return new Fe(r2 > i2 ? 1 : 0, this.getTypeInfo("bool"));
      case "<":
        if (je(r2) && je(i2)) {
          const t3 = r2, a2 = i2;
          if (t3.length !== a2.length) return console.error(`Vector length mismatch: ${n2.typeInfo.getTypeName()}[${t3.length}] '${e3.operator}' ${s2.typeInfo.getTypeName()}[${a2.length}]. Line ${e3.line}.`), null;
          const o2 = t3.map((e4, t4) => e4 < a2[t4] ? 1 : 0);
          return this._makeCwiseData(o2, n2.typeInfo);
        }
        if (je(r2)) {
          const e4 = i2, t3 = r2.map((t4, n3) => t4 < e4 ? 1 : 0);
          return this._makeCwiseData(t3, n2.typeInfo);
        }
        if (je(i2)) {
          const e4 = r2, t3 = i2.map((t4, n3) => e4 < t4 ? 1 : 0);
          return this._makeCwiseData(t3, s2.typeInfo);
        }
        return new Fe(r2 < i2 ? 1 : 0, this.getTypeInfo("bool"));
      case "==":
        if (je(r2) && je(i2)) {
          const t3 = r2, a2 = i2;
          if (t3.length !== a2.length) return console.error(`Vector length mismatch: ${n2.typeInfo.getTypeName()}[${t3.length}] '${e3.operator}' ${s2.typeInfo.getTypeName()}[${a2.length}]. Line ${e3.line}.`), null;
          const o2 = t3.map((e4, t4) => e4 === a2[t4] ? 1 : 0);
          return this._makeCwiseData(o2, n2.typeInfo);
        }
        if (je(r2)) {
          const e4 = i2, t3 = r2.map((t4, n3) => t4 === e4 ? 1 : 0);
          return this._makeCwiseData(t3, n2.typeInfo);
        }
        if (je(i2)) {
          const e4 = r2, t3 = i2.map((t4, n3) => e4 === t4 ? 1 : 0);
          return this._makeCwiseData(t3, s2.typeInfo);
        }
        return new Fe(r2 === i2 ? 1 : 0, this.getTypeInfo("bool"));
      case "!=":
        if (je(r2) && je(i2)) {
          const t3 = r2, a2 = i2;
          if (t3.length !== a2.length) return console.error(`Vector length mismatch: ${n2.typeInfo.getTypeName()}[${t3.length}] '${e3.operator}' ${s2.typeInfo.getTypeName()}[${a2.length}]. Line ${e3.line}.`), null;
          const o2 = t3.map((e4, t4) => e4 !== a2[t4] ? 1 : 0);
          return this._makeCwiseData(o2, n2.typeInfo);
        }
        if (je(r2)) {
          const e4 = i2, t3 = r2.map((t4, n3) => t4 !== e4 ? 1 : 0);
          return this._makeCwiseData(t3, n2.typeInfo);
        }
        if (je(i2)) {
          const e4 = r2, t3 = i2.map((t4, n3) => e4 !== t4 ? 1 : 0);
          return this._makeCwiseData(t3, s2.typeInfo);
        }
        return new Fe(r2 !== i2 ? 1 : 0, this.getTypeInfo("bool"));
      case ">=":
        if (je(r2) && je(i2)) {
          const t3 = r2, a2 = i2;
          if (t3.length !== a2.length) return console.error(`Vector length mismatch: ${n2.typeInfo.getTypeName()}[${t3.length}] '${e3.operator}' ${s2.typeInfo.getTypeName()}[${a2.length}]. Line ${e3.line}.`), null;
          const o2 = t3.map((e4, t4) => e4 >= a2[t4] ? 1 : 0);
          return this._makeCwiseData(o2, n2.typeInfo);
        }
        if (je(r2)) {
          const e4 = i2, t3 = r2.map((t4, n3) => t4 >= e4 ? 1 : 0);
          return this._makeCwiseData(t3, n2.typeInfo);
        }
        if (je(i2)) {
          const e4 = r2, t3 = i2.map((t4, n3) => e4 >= t4 ? 1 : 0);
          return this._makeCwiseData(t3, s2.typeInfo);
        }
        return new Fe(r2 >= i2 ? 1 : 0, this.getTypeInfo("bool"));
      case "<=":
        if (je(r2) && je(i2)) {
          const t3 = r2, a2 = i2;
          if (t3.length !== a2.length) return console.error(`Vector length mismatch: ${n2.typeInfo.getTypeName()}[${t3.length}] '${e3.operator}' ${s2.typeInfo.getTypeName()}[${a2.length}]. Line ${e3.line}.`), null;
          const o2 = t3.map((e4, t4) => e4 <= a2[t4] ? 1 : 0);
          return this._makeCwiseData(o2, n2.typeInfo);
        }
        if (je(r2)) {
          const e4 = i2, t3 = r2.map((t4, n3) => t4 <= e4 ? 1 : 0);
          return this._makeCwiseData(t3, n2.typeInfo);
        }
        if (je(i2)) {
          const e4 = r2, t3 = i2.map((t4, n3) => e4 <= t4 ? 1 : 0);
          return this._makeCwiseData(t3, s2.typeInfo);
        }
        return new Fe(r2 <= i2 ? 1 : 0, this.getTypeInfo("bool"));
      case "&&":
        if (je(r2) && je(i2)) {
          const t3 = r2, a2 = i2;
          if (t3.length !== a2.length) return console.error(`Vector length mismatch: ${n2.typeInfo.getTypeName()}[${t3.length}] '${e3.operator}' ${s2.typeInfo.getTypeName()}[${a2.length}]. Line ${e3.line}.`), null;
          const o2 = t3.map((e4, t4) => e4 && a2[t4] ? 1 : 0);
          return this._makeCwiseData(o2, n2.typeInfo);
        }
        if (je(r2)) {
          const e4 = i2, t3 = r2.map((t4, n3) => t4 && e4 ? 1 : 0);
          return this._makeCwiseData(t3, n2.typeInfo);
        }
        if (je(i2)) {
          const e4 = r2, t3 = i2.map((t4, n3) => e4 && t4 ? 1 : 0);
          return this._makeCwiseData(t3, s2.typeInfo);
        }
        return new Fe(r2 && i2 ? 1 : 0, this.getTypeInfo("bool"));
      case "||":
        if (je(r2) && je(i2)) {
          const t3 = r2, a2 = i2;
          if (t3.length !== a2.length) return console.error(`Vector length mismatch: ${n2.typeInfo.getTypeName()}[${t3.length}] '${e3.operator}' ${s2.typeInfo.getTypeName()}[${a2.length}]. Line ${e3.line}.`), null;
          const o2 = t3.map((e4, t4) => e4 || a2[t4] ? 1 : 0);
          return this._makeCwiseData(o2, n2.typeInfo);
        }
        if (je(r2)) {
          const e4 = i2, t3 = r2.map((t4, n3) => t4 || e4 ? 1 : 0);
          return this._makeCwiseData(t3, n2.typeInfo);
        }
        if (je(i2)) {
          const e4 = r2, t3 = i2.map((t4, n3) => e4 || t4 ? 1 : 0);
          return this._makeCwiseData(t3, s2.typeInfo);
        }
        return new Fe(r2 || i2 ? 1 : 0, this.getTypeInfo("bool"));
    }
    return console.error(`Unknown operator ${e3.operator}. Line ${e3.line}`), null;
  }
  _evalCall(e3, t2) {
    const n2 = this._evalCallValue(e3, t2);
    return null !== n2 && e3.postfix ? n2.getSubData(this, e3.postfix, t2) : n2;
  }
  _evalCallValue(e3, t2) {
    if (null !== e3.cachedReturnValue) return e3.cachedReturnValue;
    const n2 = t2.clone();
    n2.currentFunctionName = e3.name;
    const s2 = t2.getFunction(e3.name);
    if (!s2) {
      if (e3.isBuiltin) return this._callBuiltinFunction(e3, n2);
      return this.getTypeInfo(e3.name) ? this._evalCreate(e3, t2) : (console.error(`Unknown function "${e3.name}". Line ${e3.line}`), null);
    }
    for (let t3 = 0; t3 < s2.node.args.length; ++t3) {
      const r2 = s2.node.args[t3], i2 = this.evalExpression(e3.args[t3], n2);
      n2.createVariable(r2.name, i2, r2);
    }
    return this._execStatements(s2.node.body, n2);
  }
  _callBuiltinFunction(e3, t2) {
    switch (e3.name) {
      case "all":
        return this.builtins.All(e3, t2);
      case "any":
        return this.builtins.Any(e3, t2);
      case "select":
        return this.builtins.Select(e3, t2);
      case "arrayLength":
        return this.builtins.ArrayLength(e3, t2);
      case "abs":
        return this.builtins.Abs(e3, t2);
      case "acos":
        return this.builtins.Acos(e3, t2);
      case "acosh":
        return this.builtins.Acosh(e3, t2);
      case "asin":
        return this.builtins.Asin(e3, t2);
      case "asinh":
        return this.builtins.Asinh(e3, t2);
      case "atan":
        return this.builtins.Atan(e3, t2);
      case "atanh":
        return this.builtins.Atanh(e3, t2);
      case "atan2":
        return this.builtins.Atan2(e3, t2);
      case "ceil":
        return this.builtins.Ceil(e3, t2);
      case "clamp":
        return this.builtins.Clamp(e3, t2);
      case "cos":
        return this.builtins.Cos(e3, t2);
      case "cosh":
        return this.builtins.Cosh(e3, t2);
      case "countLeadingZeros":
        return this.builtins.CountLeadingZeros(e3, t2);
      case "countOneBits":
        return this.builtins.CountOneBits(e3, t2);
      case "countTrailingZeros":
        return this.builtins.CountTrailingZeros(e3, t2);
      case "cross":
        return this.builtins.Cross(e3, t2);
      case "degrees":
        return this.builtins.Degrees(e3, t2);
      case "determinant":
        return this.builtins.Determinant(e3, t2);
      case "distance":
        return this.builtins.Distance(e3, t2);
      case "dot":
        return this.builtins.Dot(e3, t2);
      case "dot4U8Packed":
        return this.builtins.Dot4U8Packed(e3, t2);
      case "dot4I8Packed":
        return this.builtins.Dot4I8Packed(e3, t2);
      case "exp":
        return this.builtins.Exp(e3, t2);
      case "exp2":
        return this.builtins.Exp2(e3, t2);
      case "extractBits":
        return this.builtins.ExtractBits(e3, t2);
      case "faceForward":
        return this.builtins.FaceForward(e3, t2);
      case "firstLeadingBit":
        return this.builtins.FirstLeadingBit(e3, t2);
      case "firstTrailingBit":
        return this.builtins.FirstTrailingBit(e3, t2);
      case "floor":
        return this.builtins.Floor(e3, t2);
      case "fma":
        return this.builtins.Fma(e3, t2);
      case "fract":
        return this.builtins.Fract(e3, t2);
      case "frexp":
        return this.builtins.Frexp(e3, t2);
      case "insertBits":
        return this.builtins.InsertBits(e3, t2);
      case "inverseSqrt":
        return this.builtins.InverseSqrt(e3, t2);
      case "ldexp":
        return this.builtins.Ldexp(e3, t2);
      case "length":
        return this.builtins.Length(e3, t2);
      case "log":
        return this.builtins.Log(e3, t2);
      case "log2":
        return this.builtins.Log2(e3, t2);
      case "max":
        return this.builtins.Max(e3, t2);
      case "min":
        return this.builtins.Min(e3, t2);
      case "mix":
        return this.builtins.Mix(e3, t2);
      case "modf":
        return this.builtins.Modf(e3, t2);
      case "normalize":
        return this.builtins.Normalize(e3, t2);
      case "pow":
        return this.builtins.Pow(e3, t2);
      case "quantizeToF16":
        return this.builtins.QuantizeToF16(e3, t2);
      case "radians":
        return this.builtins.Radians(e3, t2);
      case "reflect":
        return this.builtins.Reflect(e3, t2);
      case "refract":
        return this.builtins.Refract(e3, t2);
      case "reverseBits":
        return this.builtins.ReverseBits(e3, t2);
      case "round":
        return this.builtins.Round(e3, t2);
      case "saturate":
        return this.builtins.Saturate(e3, t2);
      case "sign":
        return this.builtins.Sign(e3, t2);
      case "sin":
        return this.builtins.Sin(e3, t2);
      case "sinh":
        return this.builtins.Sinh(e3, t2);
      case "smoothstep":
        return this.builtins.SmoothStep(e3, t2);
      case "sqrt":
        return this.builtins.Sqrt(e3, t2);
      case "step":
        return this.builtins.Step(e3, t2);
      case "tan":
        return this.builtins.Tan(e3, t2);
      case "tanh":
        return this.builtins.Tanh(e3, t2);
      case "transpose":
        return this.builtins.Transpose(e3, t2);
      case "trunc":
        return this.builtins.Trunc(e3, t2);
      case "dpdx":
        return this.builtins.Dpdx(e3, t2);
      case "dpdxCoarse":
        return this.builtins.DpdxCoarse(e3, t2);
      case "dpdxFine":
        return this.builtins.DpdxFine(e3, t2);
      case "dpdy":
        return this.builtins.Dpdy(e3, t2);
      case "dpdyCoarse":
        return this.builtins.DpdyCoarse(e3, t2);
      case "dpdyFine":
        return this.builtins.DpdyFine(e3, t2);
      case "fwidth":
        return this.builtins.Fwidth(e3, t2);
      case "fwidthCoarse":
        return this.builtins.FwidthCoarse(e3, t2);
      case "fwidthFine":
        return this.builtins.FwidthFine(e3, t2);
      case "textureDimensions":
        return this.builtins.TextureDimensions(e3, t2);
      case "textureGather":
        return this.builtins.TextureGather(e3, t2);
      case "textureGatherCompare":
        return this.builtins.TextureGatherCompare(e3, t2);
      case "textureLoad":
        return this.builtins.TextureLoad(e3, t2);
      case "textureNumLayers":
        return this.builtins.TextureNumLayers(e3, t2);
      case "textureNumLevels":
        return this.builtins.TextureNumLevels(e3, t2);
      case "textureNumSamples":
        return this.builtins.TextureNumSamples(e3, t2);
      case "textureSample":
        return this.builtins.TextureSample(e3, t2);
      case "textureSampleBias":
        return this.builtins.TextureSampleBias(e3, t2);
      case "textureSampleCompare":
        return this.builtins.TextureSampleCompare(e3, t2);
      case "textureSampleCompareLevel":
        return this.builtins.TextureSampleCompareLevel(e3, t2);
      case "textureSampleGrad":
        return this.builtins.TextureSampleGrad(e3, t2);
      case "textureSampleLevel":
        return this.builtins.TextureSampleLevel(e3, t2);
      case "textureSampleBaseClampToEdge":
        return this.builtins.TextureSampleBaseClampToEdge(e3, t2);
      case "textureStore":
        return this.builtins.TextureStore(e3, t2);
      case "atomicLoad":
        return this.builtins.AtomicLoad(e3, t2);
      case "atomicStore":
        return this.builtins.AtomicStore(e3, t2);
      case "atomicAdd":
        return this.builtins.AtomicAdd(e3, t2);
      case "atomicSub":
        return this.builtins.AtomicSub(e3, t2);
      case "atomicMax":
        return this.builtins.AtomicMax(e3, t2);
      case "atomicMin":
        return this.builtins.AtomicMin(e3, t2);
      case "atomicAnd":
        return this.builtins.AtomicAnd(e3, t2);
      case "atomicOr":
        return this.builtins.AtomicOr(e3, t2);
      case "atomicXor":
        return this.builtins.AtomicXor(e3, t2);
      case "atomicExchange":
        return this.builtins.AtomicExchange(e3, t2);
      case "atomicCompareExchangeWeak":
        return this.builtins.AtomicCompareExchangeWeak(e3, t2);
      case "pack4x8snorm":
        return this.builtins.Pack4x8snorm(e3, t2);
      case "pack4x8unorm":
        return this.builtins.Pack4x8unorm(e3, t2);
      case "pack4xI8":
        return this.builtins.Pack4xI8(e3, t2);
      case "pack4xU8":
        return this.builtins.Pack4xU8(e3, t2);
      case "pack4x8Clamp":
        return this.builtins.Pack4x8Clamp(e3, t2);
      case "pack4xU8Clamp":
        return this.builtins.Pack4xU8Clamp(e3, t2);
      case "pack2x16snorm":
        return this.builtins.Pack2x16snorm(e3, t2);
      case "pack2x16unorm":
        return this.builtins.Pack2x16unorm(e3, t2);
      case "pack2x16float":
        return this.builtins.Pack2x16float(e3, t2);
      case "unpack4x8snorm":
        return this.builtins.Unpack4x8snorm(e3, t2);
      case "unpack4x8unorm":
        return this.builtins.Unpack4x8unorm(e3, t2);
      case "unpack4xI8":
        return this.builtins.Unpack4xI8(e3, t2);
      case "unpack4xU8":
        return this.builtins.Unpack4xU8(e3, t2);
      case "unpack2x16snorm":
        return this.builtins.Unpack2x16snorm(e3, t2);
      case "unpack2x16unorm":
        return this.builtins.Unpack2x16unorm(e3, t2);
      case "unpack2x16float":
        return this.builtins.Unpack2x16float(e3, t2);
      case "storageBarrier":
        return this.builtins.StorageBarrier(e3, t2);
      case "textureBarrier":
        return this.builtins.TextureBarrier(e3, t2);
      case "workgroupBarrier":
        return this.builtins.WorkgroupBarrier(e3, t2);
      case "workgroupUniformLoad":
        return this.builtins.WorkgroupUniformLoad(e3, t2);
      case "subgroupAdd":
        return this.builtins.SubgroupAdd(e3, t2);
      case "subgroupExclusiveAdd":
        return this.builtins.SubgroupExclusiveAdd(e3, t2);
      case "subgroupInclusiveAdd":
        return this.builtins.SubgroupInclusiveAdd(e3, t2);
      case "subgroupAll":
        return this.builtins.SubgroupAll(e3, t2);
      case "subgroupAnd":
        return this.builtins.SubgroupAnd(e3, t2);
      case "subgroupAny":
        return this.builtins.SubgroupAny(e3, t2);
      case "subgroupBallot":
        return this.builtins.SubgroupBallot(e3, t2);
      case "subgroupBroadcast":
        return this.builtins.SubgroupBroadcast(e3, t2);
      case "subgroupBroadcastFirst":
        return this.builtins.SubgroupBroadcastFirst(e3, t2);
      case "subgroupElect":
        return this.builtins.SubgroupElect(e3, t2);
      case "subgroupMax":
        return this.builtins.SubgroupMax(e3, t2);
      case "subgroupMin":
        return this.builtins.SubgroupMin(e3, t2);
      case "subgroupMul":
        return this.builtins.SubgroupMul(e3, t2);
      case "subgroupExclusiveMul":
        return this.builtins.SubgroupExclusiveMul(e3, t2);
      case "subgroupInclusiveMul":
        return this.builtins.SubgroupInclusiveMul(e3, t2);
      case "subgroupOr":
        return this.builtins.SubgroupOr(e3, t2);
      case "subgroupShuffle":
        return this.builtins.SubgroupShuffle(e3, t2);
      case "subgroupShuffleDown":
        return this.builtins.SubgroupShuffleDown(e3, t2);
      case "subgroupShuffleUp":
        return this.builtins.SubgroupShuffleUp(e3, t2);
      case "subgroupShuffleXor":
        return this.builtins.SubgroupShuffleXor(e3, t2);
      case "subgroupXor":
        return this.builtins.SubgroupXor(e3, t2);
      case "quadBroadcast":
        return this.builtins.QuadBroadcast(e3, t2);
      case "quadSwapDiagonal":
        return this.builtins.QuadSwapDiagonal(e3, t2);
      case "quadSwapX":
        return this.builtins.QuadSwapX(e3, t2);
      case "quadSwapY":
        return this.builtins.QuadSwapY(e3, t2);
    }
    const n2 = t2.getFunction(e3.name);
    if (n2) {
      const s2 = t2.clone();
      for (let t3 = 0; t3 < n2.node.args.length; ++t3) {
        const r2 = n2.node.args[t3], i2 = this.evalExpression(e3.args[t3], s2);
        s2.setVariable(r2.name, i2, r2);
      }
      return this._execStatements(n2.node.body, s2);
    }
    return null;
  }
  _callConstructorValue(e3, t2) {
    const n2 = this.getTypeInfo(e3.type);
    if (!e3.args || 0 === e3.args.length) return new Fe(0, n2);
    const s2 = this.evalExpression(e3.args[0], t2);
    if (s2 instanceof Fe) {
      const r2 = "bool" === (null == n2 ? void 0 : n2.name) ? 0 !== s2.value ? 1 : 0 : s2.value;
      return new Fe(r2, n2).getSubData(this, e3.postfix, t2);
    }
    return s2.typeInfo = n2, s2.getSubData(this, e3.postfix, t2).clone();
  }
  _callConstructorVec(e3, t2) {
    const n2 = this.getTypeInfo(e3.type), s2 = e3.type.getTypeName(), r2 = gt[s2];
    if (void 0 === r2) return console.error(`Invalid vec constructor ${s2}. Line ${e3.line}`), null;
    const i2 = [];
    if (e3 instanceof xe) if (e3.isVector) {
      const t3 = e3.vectorValue;
      for (const e4 of t3) i2.push(e4);
    } else i2.push(e3.scalarValue);
    else if (e3.args) for (const n3 of e3.args) {
      const e4 = this.evalExpression(n3, t2);
      if (e4 instanceof ze) {
        const t3 = e4.data;
        for (let e5 = 0; e5 < t3.length; ++e5) {
          let n4 = t3[e5];
          i2.push(n4);
        }
      } else if (e4 instanceof Fe) {
        let t3 = e4.value;
        i2.push(t3);
      }
    }
    if (e3.type instanceof le && null === e3.type.format && (e3.type.format = le.f32), 0 === i2.length) {
      const s3 = new Array(r2).fill(0);
      return new ze(s3, n2).getSubData(this, e3.postfix, t2);
    }
    if (1 === i2.length) for (; i2.length < r2; ) i2.push(i2[0]);
    if (i2.length < r2) return console.error(`Invalid vec constructor. Line ${e3.line}`), null;
    return new ze(i2.length > r2 ? i2.slice(0, r2) : i2, n2).getSubData(this, e3.postfix, t2);
  }
  _callConstructorMatrix(e3, t2) {
    const n2 = this.getTypeInfo(e3.type), s2 = e3.type.getTypeName(), r2 = xt[s2];
    if (void 0 === r2) return console.error(`Invalid matrix constructor ${s2}. Line ${e3.line}`), null;
    const a2 = [];
    if (e3 instanceof xe) if (e3.isVector) {
      const t3 = e3.vectorValue;
      for (const e4 of t3) a2.push(e4);
    } else a2.push(e3.scalarValue);
    else if (e3.args) for (const n3 of e3.args) {
      const e4 = this.evalExpression(n3, t2);
      e4 instanceof ze ? a2.push(...e4.data) : e4 instanceof Fe ? a2.push(e4.value) : e4 instanceof Pe && a2.push(...e4.data);
    }
    if (n2 instanceof i && null === n2.format && (n2.format = this.getTypeInfo("f32")), 0 === a2.length) {
      const s3 = new Array(r2[2]).fill(0);
      return new Pe(s3, n2).getSubData(this, e3.postfix, t2);
    }
    return a2.length !== r2[2] ? (console.error(`Invalid matrix constructor. Line ${e3.line}`), null) : new Pe(a2, n2).getSubData(this, e3.postfix, t2);
  }
};
yt._numericScalarTypes = /* @__PURE__ */ new Set(["f32", "i32", "u32", "bool", "f16"]), yt._vectorTypes = /* @__PURE__ */ new Set(["vec2", "vec3", "vec4", "vec2f", "vec3f", "vec4f", "vec2i", "vec3i", "vec4i", "vec2u", "vec3u", "vec4u", "vec2h", "vec3h", "vec4h", "vec2b", "vec3b", "vec4b"]), yt._matrixTypes = /* @__PURE__ */ new Set(["mat2x2", "mat2x3", "mat2x4", "mat3x2", "mat3x3", "mat3x4", "mat4x2", "mat4x3", "mat4x4", "mat2x2f", "mat2x3f", "mat2x4f", "mat3x2f", "mat3x3f", "mat3x4f", "mat4x2f", "mat4x3f", "mat4x4f", "mat2x2h", "mat2x3h", "mat2x4h", "mat3x2h", "mat3x3h", "mat3x4h", "mat4x2h", "mat4x3h", "mat4x4h"]), yt._defaultableTypes = /* @__PURE__ */ new Set([...yt._numericScalarTypes, ...yt._vectorTypes, ...yt._matrixTypes, "array"]), yt._breakObj = new De(new e("BREAK", null), null), yt._continueObj = new De(new e("CONTINUE", null), null), yt._priority = /* @__PURE__ */ new Map([["f32", 0], ["f16", 1], ["u32", 2], ["i32", 3], ["x32", 3]]);
var vt = class {
  constructor() {
    this.constants = /* @__PURE__ */ new Map(), this.aliases = /* @__PURE__ */ new Map(), this.structs = /* @__PURE__ */ new Map();
  }
};
var bt = class _bt {
  constructor() {
    this._tokens = [], this._current = 0, this._currentLine = 1, this._deferArrayCountEval = [], this._currentLoop = [], this._context = new vt(), this._exec = new yt(), this._forwardTypeCount = 0;
  }
  static Parse(e3) {
    return new _bt().parse(e3);
  }
  parse(e3) {
    this._initialize(e3), this._deferArrayCountEval.length = 0;
    const t2 = [];
    for (; !this._isAtEnd(); ) {
      const e4 = this._global_decl_or_directive();
      if (!e4) break;
      t2.push(e4);
    }
    if (this._deferArrayCountEval.length > 0) {
      for (const e4 of this._deferArrayCountEval) {
        const t3 = e4.arrayType, n2 = e4.countNode;
        if (n2 instanceof _e) {
          const e5 = n2.name, s2 = this._context.constants.get(e5);
          if (s2) try {
            const e6 = s2.constEvaluate(this._exec);
            t3.count = e6;
          } catch (e6) {
          }
        }
      }
      this._deferArrayCountEval.length = 0;
    }
    if (this._forwardTypeCount > 0) for (const e4 of t2) e4.search((e5) => {
      e5 instanceof Le || e5 instanceof ue ? e5.type = this._forwardType(e5.type) : e5 instanceof ce ? e5.format = this._forwardType(e5.format) : e5 instanceof F || e5 instanceof z || e5 instanceof P ? e5.type = this._forwardType(e5.type) : e5 instanceof N ? e5.returnType = this._forwardType(e5.returnType) : e5 instanceof Ce && (e5.type = this._forwardType(e5.type));
    });
    return t2;
  }
  _forwardType(e3) {
    if (e3 instanceof ae) {
      const t2 = this._getType(e3.name);
      if (t2) return t2;
    } else e3 instanceof ue ? e3.type = this._forwardType(e3.type) : e3 instanceof ce && (e3.format = this._forwardType(e3.format));
    return e3;
  }
  _initialize(e3) {
    if (e3) if ("string" == typeof e3) {
      const t2 = new Xe(e3);
      this._tokens = t2.scanTokens();
    } else this._tokens = e3;
    else this._tokens = [];
    this._current = 0;
  }
  _updateNode(e3, t2) {
    return e3.line = null != t2 ? t2 : this._currentLine, e3;
  }
  _setSpan(e3, t2) {
    if (null === e3 || t2 >= this._tokens.length) return e3;
    const n2 = this._tokens[t2].start, s2 = this._current > 0 ? this._tokens[this._current - 1].end : n2, r2 = Array.isArray(e3) ? e3 : [e3];
    for (const e4 of r2) e4 instanceof A && e4.start < 0 && (e4.start = n2, e4.end = s2);
    return e3;
  }
  _error(e3, t2) {
    return new Error(`${t2}. Line: ${e3.line}`);
  }
  _isAtEnd() {
    return this._current >= this._tokens.length || this._peek().type === He.eof;
  }
  _match(e3) {
    if (e3 instanceof Re) return !!this._check(e3) && (this._advance(), true);
    for (let t2 = 0, n2 = e3.length; t2 < n2; ++t2) {
      const n3 = e3[t2];
      if (this._check(n3)) return this._advance(), true;
    }
    return false;
  }
  _consume(e3, t2) {
    if (this._check(e3)) return this._advance();
    throw this._error(this._peek(), t2);
  }
  _check(e3) {
    if (this._isAtEnd()) return false;
    const t2 = this._peek();
    if (Array.isArray(e3)) {
      const n2 = t2.type;
      let s2 = false;
      for (const t3 of e3) {
        if (n2 === t3) return true;
        t3 === He.tokens.name && (s2 = true);
      }
      if (s2) {
        const e4 = He.tokens.name.rule.exec(t2.lexeme);
        if (e4 && 0 === e4.index && e4[0] === t2.lexeme) return true;
      }
      return false;
    }
    if (t2.type === e3) return true;
    if (e3 === He.tokens.name) {
      const e4 = He.tokens.name.rule.exec(t2.lexeme);
      return e4 && 0 === e4.index && e4[0] === t2.lexeme;
    }
    return false;
  }
  _advance() {
    var e3, t2;
    return this._currentLine = null !== (t2 = null === (e3 = this._peek()) || void 0 === e3 ? void 0 : e3.line) && void 0 !== t2 ? t2 : -1, this._isAtEnd() || this._current++, this._previous();
  }
  _peek() {
    return this._tokens[this._current];
  }
  _previous() {
    return this._tokens[this._current - 1];
  }
  _global_decl_or_directive() {
    for (; this._match(He.tokens.semicolon) && !this._isAtEnd(); ) ;
    const e3 = this._current;
    return this._setSpan(this._global_decl_or_directiveImpl(), e3);
  }
  _global_decl_or_directiveImpl() {
    for (; this._match(He.tokens.semicolon) && !this._isAtEnd(); ) ;
    if (this._match(He.keywords.const_assert)) {
      const e4 = this._global_assert();
      return this._consume(He.tokens.semicolon, "Expected ';'"), this._exec.reflection.updateAST([e4]), e4;
    }
    if (this._match(He.keywords.alias)) {
      const e4 = this._type_alias();
      return this._consume(He.tokens.semicolon, "Expected ';'"), this._exec.reflection.updateAST([e4]), e4;
    }
    if (this._match(He.keywords.diagnostic)) {
      const e4 = this._diagnostic();
      return this._consume(He.tokens.semicolon, "Expected ';'"), this._exec.reflection.updateAST([e4]), e4;
    }
    if (this._match(He.keywords.requires)) {
      const e4 = this._requires_directive();
      return this._consume(He.tokens.semicolon, "Expected ';'"), this._exec.reflection.updateAST([e4]), e4;
    }
    if (this._match(He.keywords.enable)) {
      const e4 = this._enable_directive();
      return this._consume(He.tokens.semicolon, "Expected ';'"), this._exec.reflection.updateAST([e4]), e4;
    }
    const e3 = this._attribute();
    if (this._check(He.keywords.var)) {
      const t2 = this._global_variable_decl();
      return null != t2 && (t2.attributes = e3), this._consume(He.tokens.semicolon, "Expected ';'."), this._exec.reflection.updateAST([t2]), t2;
    }
    if (this._check(He.keywords.override)) {
      const t2 = this._override_variable_decl();
      return null != t2 && (t2.attributes = e3), this._consume(He.tokens.semicolon, "Expected ';'."), this._exec.reflection.updateAST([t2]), t2;
    }
    if (this._check(He.keywords.let)) {
      const t2 = this._global_let_decl();
      return null != t2 && (t2.attributes = e3), this._consume(He.tokens.semicolon, "Expected ';'."), this._exec.reflection.updateAST([t2]), t2;
    }
    if (this._check(He.keywords.const)) {
      const t2 = this._global_const_decl();
      return null != t2 && (t2.attributes = e3), this._consume(He.tokens.semicolon, "Expected ';'."), this._exec.reflection.updateAST([t2]), t2;
    }
    if (this._check(He.keywords.struct)) {
      const t2 = this._struct_decl();
      return null != t2 && (t2.attributes = e3), this._exec.reflection.updateAST([t2]), t2;
    }
    if (this._check(He.keywords.fn)) {
      const t2 = this._function_decl();
      return null != t2 && (t2.attributes = e3), this._exec.reflection.updateAST([t2]), t2;
    }
    return null;
  }
  _function_decl() {
    if (!this._match(He.keywords.fn)) return null;
    const e3 = this._currentLine, t2 = this._consume(He.tokens.ident, "Expected function name.").toString();
    this._consume(He.tokens.paren_left, "Expected '(' for function arguments.");
    const n2 = [];
    if (!this._check(He.tokens.paren_right)) do {
      if (this._check(He.tokens.paren_right)) break;
      const e4 = this._attribute(), t3 = this._consume(He.tokens.name, "Expected argument name.").toString();
      this._consume(He.tokens.colon, "Expected ':' for argument type.");
      const s3 = this._attribute(), r3 = this._type_decl();
      null != r3 && (this._setTypeAttributes(r3, s3), n2.push(this._updateNode(new Ce(t3, r3, e4))));
    } while (this._match(He.tokens.comma));
    this._consume(He.tokens.paren_right, "Expected ')' after function arguments.");
    let s2 = null;
    if (this._match(He.tokens.arrow)) {
      const e4 = this._attribute();
      s2 = this._type_decl(), this._setTypeAttributes(s2, e4);
    }
    const r2 = this._compound_statement(), i2 = this._currentLine;
    return this._updateNode(new N(t2, n2, s2, r2, e3, i2), e3);
  }
  _compound_statement() {
    const e3 = [];
    for (this._consume(He.tokens.brace_left, "Expected '{' for block."); !this._check(He.tokens.brace_right); ) {
      const t2 = this._statement();
      null !== t2 && e3.push(t2);
    }
    return this._consume(He.tokens.brace_right, "Expected '}' for block."), e3;
  }
  _statement() {
    for (; this._match(He.tokens.semicolon) && !this._isAtEnd(); ) ;
    const e3 = this._current;
    return this._setSpan(this._statementImpl(), e3);
  }
  _statementImpl() {
    for (; this._match(He.tokens.semicolon) && !this._isAtEnd(); ) ;
    if (this._check(He.tokens.attr) && this._attribute(), this._check(He.keywords.if)) return this._if_statement();
    if (this._check(He.keywords.switch)) return this._switch_statement();
    if (this._check(He.keywords.loop)) return this._loop_statement();
    if (this._check(He.keywords.for)) return this._for_statement();
    if (this._check(He.keywords.while)) return this._while_statement();
    if (this._check(He.keywords.continuing)) return this._continuing_statement();
    if (this._check(He.keywords.static_assert)) return this._static_assert_statement();
    if (this._check(He.tokens.brace_left)) return this._compound_statement();
    let e3 = null;
    if (this._check(He.keywords.return)) e3 = this._return_statement();
    else if (this._check([He.keywords.var, He.keywords.let, He.keywords.const])) e3 = this._variable_statement();
    else if (this._match(He.keywords.discard)) e3 = this._updateNode(new ne());
    else if (this._match(He.keywords.break)) {
      const t2 = this._updateNode(new se());
      if (this._currentLoop.length > 0) {
        const e4 = this._currentLoop[this._currentLoop.length - 1];
        t2.loopId = e4.id;
      }
      e3 = t2, this._check(He.keywords.if) && (this._advance(), t2.condition = this._optional_paren_expression());
    } else if (this._match(He.keywords.continue)) {
      const t2 = this._updateNode(new re());
      if (!(this._currentLoop.length > 0)) throw this._error(this._peek(), "Continue statement must be inside a loop");
      {
        const e4 = this._currentLoop[this._currentLoop.length - 1];
        t2.loopId = e4.id;
      }
      e3 = t2;
    } else e3 = this._increment_decrement_statement() || this._func_call_statement() || this._assignment_statement();
    return null != e3 && this._consume(He.tokens.semicolon, "Expected ';' after statement."), e3;
  }
  _static_assert_statement() {
    if (!this._match(He.keywords.static_assert)) return null;
    const e3 = this._currentLine, t2 = this._optional_paren_expression();
    return this._updateNode(new V(t2), e3);
  }
  _global_assert() {
    const e3 = this._currentLine, t2 = this._short_circuit_or_expression();
    return this._updateNode(new V(t2), e3);
  }
  _while_statement() {
    if (!this._match(He.keywords.while)) return null;
    const e3 = this._updateNode(new D(null, null));
    return this._currentLoop.push(e3), e3.condition = this._optional_paren_expression(), this._check(He.tokens.attr) && this._attribute(), e3.body = this._compound_statement(), this._currentLoop.pop(), e3;
  }
  _continuing_statement() {
    const e3 = this._currentLoop.length > 0 ? this._currentLoop[this._currentLoop.length - 1].id : -1;
    if (!this._match(He.keywords.continuing)) return null;
    const t2 = this._currentLine, n2 = this._compound_statement();
    return this._updateNode(new B(n2, e3), t2);
  }
  _for_statement() {
    if (!this._match(He.keywords.for)) return null;
    this._consume(He.tokens.paren_left, "Expected '('.");
    const e3 = this._updateNode(new M(null, null, null, null));
    return this._currentLoop.push(e3), e3.init = this._check(He.tokens.semicolon) ? null : this._for_init(), this._consume(He.tokens.semicolon, "Expected ';'."), e3.condition = this._check(He.tokens.semicolon) ? null : this._short_circuit_or_expression(), this._consume(He.tokens.semicolon, "Expected ';'."), e3.increment = this._check(He.tokens.paren_right) ? null : this._for_increment(), this._consume(He.tokens.paren_right, "Expected ')'."), this._check(He.tokens.attr) && this._attribute(), e3.body = this._compound_statement(), this._currentLoop.pop(), e3;
  }
  _for_init() {
    return this._variable_statement() || this._func_call_statement() || this._assignment_statement();
  }
  _for_increment() {
    return this._func_call_statement() || this._increment_decrement_statement() || this._assignment_statement();
  }
  _variable_statement() {
    if (this._check(He.keywords.var)) {
      const e3 = this._variable_decl();
      if (null === e3) throw this._error(this._peek(), "Variable declaration expected.");
      let t2 = null;
      return this._match(He.tokens.equal) && (t2 = this._short_circuit_or_expression()), this._updateNode(new F(e3.name, e3.type, e3.storage, e3.access, t2), e3.line);
    }
    if (this._match(He.keywords.let)) {
      const e3 = this._currentLine, t2 = this._consume(He.tokens.name, "Expected name for let.").toString();
      let n2 = null;
      if (this._match(He.tokens.colon)) {
        const e4 = this._attribute();
        n2 = this._type_decl(), this._setTypeAttributes(n2, e4);
      }
      this._consume(He.tokens.equal, "Expected '=' for let.");
      const s2 = this._short_circuit_or_expression();
      return this._updateNode(new z(t2, n2, null, null, s2), e3);
    }
    if (this._match(He.keywords.const)) {
      const e3 = this._currentLine, t2 = this._consume(He.tokens.name, "Expected name for const.").toString();
      let n2 = null;
      if (this._match(He.tokens.colon)) {
        const e4 = this._attribute();
        n2 = this._type_decl(), this._setTypeAttributes(n2, e4);
      }
      this._consume(He.tokens.equal, "Expected '=' for const.");
      const s2 = this._short_circuit_or_expression();
      return null === n2 && s2 instanceof xe && (n2 = s2.type), this._updateNode(new P(t2, n2, null, null, s2), e3);
    }
    return null;
  }
  _increment_decrement_statement() {
    const e3 = this._current, t2 = this._unary_expression();
    if (null === t2) return null;
    if (!this._check(He.increment_operators)) return this._current = e3, null;
    const n2 = this._consume(He.increment_operators, "Expected increment operator");
    return this._updateNode(new H(n2.type === He.tokens.plus_plus ? W.increment : W.decrement, t2));
  }
  _assignment_statement() {
    let e3 = null;
    const t2 = this._currentLine;
    if (this._check(He.tokens.brace_right)) return null;
    let n2 = this._match(He.tokens.underscore);
    if (n2 || (e3 = this._unary_expression()), !n2 && null === e3) return null;
    const s2 = this._consume(He.assignment_operators, "Expected assignment operator."), r2 = this._short_circuit_or_expression();
    return this._updateNode(new G(q.parse(s2.lexeme), e3, r2), t2);
  }
  _func_call_statement() {
    if (!this._check(He.tokens.ident)) return null;
    const e3 = this._currentLine, t2 = this._current, n2 = this._consume(He.tokens.ident, "Expected function name."), s2 = this._argument_expression_list();
    return null === s2 ? (this._current = t2, null) : this._updateNode(new X(n2.lexeme, s2), e3);
  }
  _loop_statement() {
    if (!this._match(He.keywords.loop)) return null;
    this._check(He.tokens.attr) && this._attribute(), this._consume(He.tokens.brace_left, "Expected '{' for loop.");
    const e3 = this._updateNode(new j([], null));
    this._currentLoop.push(e3);
    let t2 = this._statement();
    for (; null !== t2; ) {
      if (Array.isArray(t2)) for (let n2 of t2) e3.body.push(n2);
      else e3.body.push(t2);
      if (t2 instanceof B) {
        e3.continuing = t2;
        break;
      }
      t2 = this._statement();
    }
    return this._currentLoop.pop(), this._consume(He.tokens.brace_right, "Expected '}' for loop."), e3;
  }
  _switch_statement() {
    if (!this._match(He.keywords.switch)) return null;
    const e3 = this._updateNode(new Z(null, []));
    if (this._currentLoop.push(e3), e3.condition = this._optional_paren_expression(), this._check(He.tokens.attr) && this._attribute(), this._consume(He.tokens.brace_left, "Expected '{' for switch."), e3.cases = this._switch_body(), null === e3.cases || 0 === e3.cases.length) throw this._error(this._previous(), "Expected 'case' or 'default'.");
    return this._consume(He.tokens.brace_right, "Expected '}' for switch."), this._currentLoop.pop(), e3;
  }
  _switch_body() {
    const e3 = [];
    let t2 = false;
    for (; this._check([He.keywords.default, He.keywords.case]); ) {
      if (this._match(He.keywords.case)) {
        const n2 = this._case_selectors();
        for (const e4 of n2) if (e4 instanceof Se) {
          if (t2) throw this._error(this._previous(), "Multiple default cases in switch statement.");
          t2 = true;
          break;
        }
        this._match(He.tokens.colon), this._check(He.tokens.attr) && this._attribute(), this._consume(He.tokens.brace_left, "Exected '{' for switch case.");
        const s2 = this._case_body();
        this._consume(He.tokens.brace_right, "Exected '}' for switch case."), e3.push(this._updateNode(new Ae(n2, s2)));
      }
      if (this._match(He.keywords.default)) {
        if (t2) throw this._error(this._previous(), "Multiple default cases in switch statement.");
        this._match(He.tokens.colon), this._check(He.tokens.attr) && this._attribute(), this._consume(He.tokens.brace_left, "Exected '{' for switch default.");
        const n2 = this._case_body();
        this._consume(He.tokens.brace_right, "Exected '}' for switch default."), e3.push(this._updateNode(new $e(n2)));
      }
    }
    return e3;
  }
  _case_selectors() {
    const e3 = [];
    for (this._match(He.keywords.default) ? e3.push(this._updateNode(new Se())) : e3.push(this._shift_expression()); this._match(He.tokens.comma); ) this._match(He.keywords.default) ? e3.push(this._updateNode(new Se())) : e3.push(this._shift_expression());
    return e3;
  }
  _case_body() {
    if (this._match(He.keywords.fallthrough)) return this._consume(He.tokens.semicolon, "Expected ';'"), [];
    let e3 = this._statement();
    if (null === e3) return [];
    Array.isArray(e3) || (e3 = [e3]);
    const t2 = this._case_body();
    return 0 === t2.length ? e3 : [...e3, t2[0]];
  }
  _if_statement() {
    if (!this._match(He.keywords.if)) return null;
    const e3 = this._currentLine, t2 = this._optional_paren_expression();
    this._check(He.tokens.attr) && this._attribute();
    const n2 = this._compound_statement();
    let s2 = [];
    this._match_elseif() && (this._check(He.tokens.attr) && this._attribute(), s2 = this._elseif_statement(s2));
    let r2 = null;
    return this._match(He.keywords.else) && (this._check(He.tokens.attr) && this._attribute(), r2 = this._compound_statement()), this._updateNode(new K(t2, n2, s2, r2), e3);
  }
  _match_elseif() {
    return this._tokens[this._current].type === He.keywords.else && this._tokens[this._current + 1].type === He.keywords.if && (this._advance(), this._advance(), true);
  }
  _elseif_statement(e3 = []) {
    const t2 = this._optional_paren_expression(), n2 = this._compound_statement();
    return e3.push(this._updateNode(new Ee(t2, n2))), this._match_elseif() && (this._check(He.tokens.attr) && this._attribute(), this._elseif_statement(e3)), e3;
  }
  _return_statement() {
    if (!this._match(He.keywords.return)) return null;
    const e3 = this._short_circuit_or_expression();
    return this._updateNode(new Q(e3));
  }
  _short_circuit_or_expression() {
    let e3 = this._short_circuit_and_expr();
    for (; this._match(He.tokens.or_or); ) e3 = this._updateNode(new Ie(this._previous().toString(), e3, this._short_circuit_and_expr()));
    return e3;
  }
  _short_circuit_and_expr() {
    let e3 = this._inclusive_or_expression();
    for (; this._match(He.tokens.and_and); ) e3 = this._updateNode(new Ie(this._previous().toString(), e3, this._inclusive_or_expression()));
    return e3;
  }
  _inclusive_or_expression() {
    let e3 = this._exclusive_or_expression();
    for (; this._match(He.tokens.or); ) e3 = this._updateNode(new Ie(this._previous().toString(), e3, this._exclusive_or_expression()));
    return e3;
  }
  _exclusive_or_expression() {
    let e3 = this._and_expression();
    for (; this._match(He.tokens.xor); ) e3 = this._updateNode(new Ie(this._previous().toString(), e3, this._and_expression()));
    return e3;
  }
  _and_expression() {
    let e3 = this._equality_expression();
    for (; this._match(He.tokens.and); ) e3 = this._updateNode(new Ie(this._previous().toString(), e3, this._equality_expression()));
    return e3;
  }
  _equality_expression() {
    const e3 = this._relational_expression();
    return this._match([He.tokens.equal_equal, He.tokens.not_equal]) ? this._updateNode(new Ie(this._previous().toString(), e3, this._relational_expression())) : e3;
  }
  _relational_expression() {
    let e3 = this._shift_expression();
    for (; this._match([He.tokens.less_than, He.tokens.greater_than, He.tokens.less_than_equal, He.tokens.greater_than_equal]); ) e3 = this._updateNode(new Ie(this._previous().toString(), e3, this._shift_expression()));
    return e3;
  }
  _shift_expression() {
    let e3 = this._additive_expression();
    for (; this._match([He.tokens.shift_left, He.tokens.shift_right]); ) e3 = this._updateNode(new Ie(this._previous().toString(), e3, this._additive_expression()));
    return e3;
  }
  _additive_expression() {
    let e3 = this._multiplicative_expression();
    for (; this._match([He.tokens.plus, He.tokens.minus]); ) e3 = this._updateNode(new Ie(this._previous().toString(), e3, this._multiplicative_expression()));
    return e3;
  }
  _multiplicative_expression() {
    let e3 = this._unary_expression();
    for (; this._match([He.tokens.star, He.tokens.forward_slash, He.tokens.modulo]); ) e3 = this._updateNode(new Ie(this._previous().toString(), e3, this._unary_expression()));
    return e3;
  }
  _unary_expression() {
    return this._match([He.tokens.minus, He.tokens.bang, He.tokens.tilde, He.tokens.star, He.tokens.and]) ? this._updateNode(new ke(this._previous().toString(), this._unary_expression())) : this._singular_expression();
  }
  _singular_expression() {
    const e3 = this._primary_expression(), t2 = this._postfix_expression();
    return t2 && (e3.postfix = t2), e3;
  }
  _postfix_expression() {
    if (this._match(He.tokens.bracket_left)) {
      const e3 = this._short_circuit_or_expression();
      this._consume(He.tokens.bracket_right, "Expected ']'.");
      const t2 = this._updateNode(new be(e3)), n2 = this._postfix_expression();
      return n2 && (t2.postfix = n2), t2;
    }
    if (this._match(He.tokens.period)) {
      const e3 = this._consume(He.tokens.name, "Expected member name."), t2 = this._postfix_expression(), n2 = this._updateNode(new pe(e3.lexeme));
      return t2 && (n2.postfix = t2), n2;
    }
    return null;
  }
  _getStruct(e3) {
    var t2;
    if (this._context.aliases.has(e3)) {
      const n2 = null === (t2 = this._context.aliases.get(e3)) || void 0 === t2 ? void 0 : t2.type;
      return null != n2 ? n2 : null;
    }
    if (this._context.structs.has(e3)) {
      const t3 = this._context.structs.get(e3);
      return null != t3 ? t3 : null;
    }
    return null;
  }
  _getType(e3) {
    const t2 = this._getStruct(e3);
    if (null !== t2) return t2;
    switch (e3) {
      case "void":
        return ie.void;
      case "bool":
        return ie.bool;
      case "i32":
        return ie.i32;
      case "u32":
        return ie.u32;
      case "f32":
        return ie.f32;
      case "f16":
        return ie.f16;
      case "vec2f":
        return le.vec2f;
      case "vec3f":
        return le.vec3f;
      case "vec4f":
        return le.vec4f;
      case "vec2i":
        return le.vec2i;
      case "vec3i":
        return le.vec3i;
      case "vec4i":
        return le.vec4i;
      case "vec2u":
        return le.vec2u;
      case "vec3u":
        return le.vec3u;
      case "vec4u":
        return le.vec4u;
      case "vec2h":
        return le.vec2h;
      case "vec3h":
        return le.vec3h;
      case "vec4h":
        return le.vec4h;
      case "mat2x2f":
        return le.mat2x2f;
      case "mat2x3f":
        return le.mat2x3f;
      case "mat2x4f":
        return le.mat2x4f;
      case "mat3x2f":
        return le.mat3x2f;
      case "mat3x3f":
        return le.mat3x3f;
      case "mat3x4f":
        return le.mat3x4f;
      case "mat4x2f":
        return le.mat4x2f;
      case "mat4x3f":
        return le.mat4x3f;
      case "mat4x4f":
        return le.mat4x4f;
      case "mat2x2h":
        return le.mat2x2h;
      case "mat2x3h":
        return le.mat2x3h;
      case "mat2x4h":
        return le.mat2x4h;
      case "mat3x2h":
        return le.mat3x2h;
      case "mat3x3h":
        return le.mat3x3h;
      case "mat3x4h":
        return le.mat3x4h;
      case "mat4x2h":
        return le.mat4x2h;
      case "mat4x3h":
        return le.mat4x3h;
      case "mat4x4h":
        return le.mat4x4h;
      case "mat2x2i":
        return le.mat2x2i;
      case "mat2x3i":
        return le.mat2x3i;
      case "mat2x4i":
        return le.mat2x4i;
      case "mat3x2i":
        return le.mat3x2i;
      case "mat3x3i":
        return le.mat3x3i;
      case "mat3x4i":
        return le.mat3x4i;
      case "mat4x2i":
        return le.mat4x2i;
      case "mat4x3i":
        return le.mat4x3i;
      case "mat4x4i":
        return le.mat4x4i;
      case "mat2x2u":
        return le.mat2x2u;
      case "mat2x3u":
        return le.mat2x3u;
      case "mat2x4u":
        return le.mat2x4u;
      case "mat3x2u":
        return le.mat3x2u;
      case "mat3x3u":
        return le.mat3x3u;
      case "mat3x4u":
        return le.mat3x4u;
      case "mat4x2u":
        return le.mat4x2u;
      case "mat4x3u":
        return le.mat4x3u;
      case "mat4x4u":
        return le.mat4x4u;
    }
    return null;
  }
  _validateTypeRange(e3, t2) {
    if ("i32" === t2.name) {
      if (e3 < -2147483648 || e3 > 2147483647) throw this._error(this._previous(), `Value out of range for i32: ${e3}`);
    } else if ("u32" === t2.name && (e3 < 0 || e3 > 4294967295)) throw this._error(this._previous(), `Value out of range for u32: ${e3}`);
  }
  _primary_expression() {
    if (this._match(He.tokens.ident)) {
      const e4 = this._previous().toString();
      if (this._check(He.tokens.paren_left)) {
        const t3 = this._argument_expression_list(), n2 = this._getType(e4);
        return null !== n2 ? this._updateNode(new de(n2, t3)) : this._updateNode(new me(e4, t3));
      }
      if (this._context.constants.has(e4)) {
        const t3 = this._context.constants.get(e4);
        if (t3) return this._updateNode(new ge(e4, t3.value));
      }
      return this._updateNode(new _e(e4));
    }
    if (this._match(He.tokens.int_literal)) {
      const e4 = this._previous().toString();
      let t3 = e4.endsWith("i") || e4.endsWith("i") ? ie.i32 : e4.endsWith("u") || e4.endsWith("U") ? ie.u32 : ie.x32;
      const n2 = parseInt(e4);
      return this._validateTypeRange(n2, t3), this._updateNode(new xe(new Fe(n2, this._exec.getTypeInfo(t3)), t3));
    }
    if (this._match(He.tokens.uint_literal)) {
      const e4 = parseInt(this._previous().toString());
      return this._validateTypeRange(e4, ie.u32), this._updateNode(new xe(new Fe(e4, this._exec.getTypeInfo(ie.u32)), ie.u32));
    }
    if (this._match([He.tokens.decimal_float_literal, He.tokens.hex_float_literal])) {
      let e4 = this._previous().toString(), t3 = e4.endsWith("h");
      t3 && (e4 = e4.substring(0, e4.length - 1));
      const n2 = parseFloat(e4);
      this._validateTypeRange(n2, t3 ? ie.f16 : ie.f32);
      const s2 = t3 ? ie.f16 : ie.f32;
      return this._updateNode(new xe(new Fe(n2, this._exec.getTypeInfo(s2)), s2));
    }
    if (this._match([He.keywords.true, He.keywords.false])) {
      let e4 = this._previous().toString() === He.keywords.true.rule;
      return this._updateNode(new xe(new Fe(e4 ? 1 : 0, this._exec.getTypeInfo(ie.bool)), ie.bool));
    }
    if (this._check(He.tokens.paren_left)) return this._paren_expression();
    if (this._match(He.keywords.bitcast)) {
      this._consume(He.tokens.less_than, "Expected '<'.");
      const e4 = this._type_decl();
      this._consume(He.tokens.greater_than, "Expected '>'.");
      const t3 = this._paren_expression();
      return this._updateNode(new ye(e4, t3));
    }
    const e3 = this._type_decl(), t2 = this._argument_expression_list();
    return this._updateNode(new de(e3, t2));
  }
  _argument_expression_list() {
    if (!this._match(He.tokens.paren_left)) return null;
    const e3 = [];
    do {
      if (this._check(He.tokens.paren_right)) break;
      const t2 = this._short_circuit_or_expression();
      e3.push(t2);
    } while (this._match(He.tokens.comma));
    return this._consume(He.tokens.paren_right, "Expected ')' for argument list"), e3;
  }
  _optional_paren_expression() {
    let e3 = this._match(He.tokens.paren_left);
    const t2 = this._short_circuit_or_expression();
    return t2.hasParen = e3, e3 && this._consume(He.tokens.paren_right, "Expected ')'."), t2;
  }
  _paren_expression() {
    this._consume(He.tokens.paren_left, "Expected '('.");
    const e3 = this._short_circuit_or_expression();
    return this._consume(He.tokens.paren_right, "Expected ')'."), e3.hasParen = true, e3;
  }
  _struct_decl() {
    if (!this._match(He.keywords.struct)) return null;
    const e3 = this._currentLine, t2 = this._consume(He.tokens.ident, "Expected name for struct.").toString();
    this._consume(He.tokens.brace_left, "Expected '{' for struct body.");
    const n2 = [];
    for (; !this._check(He.tokens.brace_right); ) {
      const e4 = this._attribute(), t3 = this._consume(He.tokens.name, "Expected variable name.").toString();
      this._consume(He.tokens.colon, "Expected ':' for struct member type.");
      const s3 = this._attribute(), r3 = this._type_decl();
      this._setTypeAttributes(r3, s3), this._check(He.tokens.brace_right) ? this._match(He.tokens.comma) : this._consume(He.tokens.comma, "Expected ',' for struct member."), n2.push(this._updateNode(new Le(t3, r3, e4)));
    }
    this._consume(He.tokens.brace_right, "Expected '}' after struct body.");
    const s2 = this._currentLine, r2 = this._updateNode(new oe(t2, n2, e3, s2), e3);
    return this._context.structs.set(t2, r2), r2;
  }
  _global_variable_decl() {
    const e3 = this._variable_decl();
    if (!e3) return null;
    if (this._match(He.tokens.equal)) {
      const t2 = this._const_expression();
      e3.value = t2;
    }
    if (null !== e3.type && e3.value instanceof xe) {
      if ("x32" !== e3.value.type.name) {
        if (e3.type.getTypeName() !== e3.value.type.getTypeName()) throw this._error(this._peek(), `Invalid cast from ${e3.value.type.name} to ${e3.type.name}`);
      }
      e3.value.isScalar && this._validateTypeRange(e3.value.scalarValue, e3.type), e3.value.type = e3.type;
    } else null === e3.type && e3.value instanceof xe && (e3.type = "x32" === e3.value.type.name ? ie.i32 : e3.value.type, e3.value.isScalar && this._validateTypeRange(e3.value.scalarValue, e3.type));
    return e3;
  }
  _override_variable_decl() {
    const e3 = this._override_decl();
    return e3 && this._match(He.tokens.equal) && (e3.value = this._const_expression()), e3;
  }
  _global_const_decl() {
    var e3;
    if (!this._match(He.keywords.const)) return null;
    const t2 = this._consume(He.tokens.name, "Expected variable name"), n2 = this._currentLine;
    let s2 = null;
    if (this._match(He.tokens.colon)) {
      const e4 = this._attribute();
      s2 = this._type_decl(), this._setTypeAttributes(s2, e4);
    }
    let r2 = null;
    this._consume(He.tokens.equal, "const declarations require an assignment");
    const a2 = this._short_circuit_or_expression();
    try {
      let e4 = [ie.f32], n3 = a2.constEvaluate(this._exec, e4);
      n3 instanceof Fe && this._validateTypeRange(n3.value, e4[0]), e4[0] instanceof le && null === e4[0].format && n3.typeInfo instanceof i && null !== n3.typeInfo.format && ("f16" === n3.typeInfo.format.name ? e4[0].format = ie.f16 : "f32" === n3.typeInfo.format.name ? e4[0].format = ie.f32 : "i32" === n3.typeInfo.format.name ? e4[0].format = ie.i32 : "u32" === n3.typeInfo.format.name ? e4[0].format = ie.u32 : "bool" === n3.typeInfo.format.name ? e4[0].format = ie.bool : console.error(`TODO: implement template format type ${n3.typeInfo.format.name}`)), r2 = this._updateNode(new xe(n3, e4[0])), this._exec.context.setVariable(t2.toString(), n3);
    } catch (e4) {
      r2 = a2;
    }
    if (null !== s2 && r2 instanceof xe) {
      if ("x32" !== r2.type.name) {
        if (s2.getTypeName() !== r2.type.getTypeName()) throw this._error(this._peek(), `Invalid cast from ${r2.type.name} to ${s2.name}`);
      }
      r2.type = s2, r2.isScalar && this._validateTypeRange(r2.scalarValue, r2.type);
    } else null === s2 && r2 instanceof xe && (s2 = null !== (e3 = null == r2 ? void 0 : r2.type) && void 0 !== e3 ? e3 : ie.f32, s2 === ie.x32 && (s2 = ie.i32));
    const o2 = this._updateNode(new P(t2.toString(), s2, "", "", r2), n2);
    return this._context.constants.set(o2.name, o2), o2;
  }
  _global_let_decl() {
    if (!this._match(He.keywords.let)) return null;
    const e3 = this._currentLine, t2 = this._consume(He.tokens.name, "Expected variable name");
    let n2 = null;
    if (this._match(He.tokens.colon)) {
      const e4 = this._attribute();
      n2 = this._type_decl(), this._setTypeAttributes(n2, e4);
    }
    let s2 = null;
    if (this._match(He.tokens.equal) && (s2 = this._const_expression()), null !== n2 && s2 instanceof xe) {
      if ("x32" !== s2.type.name) {
        if (n2.getTypeName() !== s2.type.getTypeName()) throw this._error(this._peek(), `Invalid cast from ${s2.type.name} to ${n2.name}`);
      }
      s2.type = n2;
    } else null === n2 && s2 instanceof xe && (n2 = "x32" === s2.type.name ? ie.i32 : s2.type);
    return s2 instanceof xe && s2.isScalar && this._validateTypeRange(s2.scalarValue, n2), this._updateNode(new z(t2.toString(), n2, "", "", s2), e3);
  }
  _const_expression() {
    return this._short_circuit_or_expression();
  }
  _variable_decl() {
    if (!this._match(He.keywords.var)) return null;
    const e3 = this._currentLine;
    let t2 = "", n2 = "";
    this._match(He.tokens.less_than) && (t2 = this._consume(He.storage_class, "Expected storage_class.").toString(), this._match(He.tokens.comma) && (n2 = this._consume(He.access_mode, "Expected access_mode.").toString()), this._consume(He.tokens.greater_than, "Expected '>'."));
    const s2 = this._consume(He.tokens.name, "Expected variable name");
    let r2 = null;
    if (this._match(He.tokens.colon)) {
      const e4 = this._attribute();
      r2 = this._type_decl(), this._setTypeAttributes(r2, e4);
    }
    return this._updateNode(new F(s2.toString(), r2, t2, n2, null), e3);
  }
  _override_decl() {
    if (!this._match(He.keywords.override)) return null;
    const e3 = this._consume(He.tokens.name, "Expected variable name");
    let t2 = null;
    if (this._match(He.tokens.colon)) {
      const e4 = this._attribute();
      t2 = this._type_decl(), this._setTypeAttributes(t2, e4);
    }
    return this._updateNode(new U(e3.toString(), t2, null));
  }
  _diagnostic() {
    this._consume(He.tokens.paren_left, "Expected '('");
    const e3 = this._consume(He.tokens.ident, "Expected severity control name.");
    this._consume(He.tokens.comma, "Expected ','");
    let t2 = this._consume(He.tokens.ident, "Expected diagnostic rule name.").toString();
    if (this._match(He.tokens.period)) {
      t2 += `.${this._consume(He.tokens.ident, "Expected diagnostic message.").toString()}`;
    }
    return this._consume(He.tokens.paren_right, "Expected ')'"), this._updateNode(new ee(e3.toString(), t2));
  }
  _enable_directive() {
    const e3 = this._consume(He.tokens.ident, "identity expected.");
    return this._updateNode(new J(e3.toString()));
  }
  _requires_directive() {
    const e3 = [this._consume(He.tokens.ident, "identity expected.").toString()];
    for (; this._match(He.tokens.comma); ) {
      const t2 = this._consume(He.tokens.ident, "identity expected.");
      e3.push(t2.toString());
    }
    return this._updateNode(new Y(e3));
  }
  _type_alias() {
    const e3 = this._consume(He.tokens.ident, "identity expected.");
    this._consume(He.tokens.equal, "Expected '=' for type alias.");
    let t2 = this._type_decl();
    if (null === t2) throw this._error(this._peek(), "Expected Type for Alias.");
    this._context.aliases.has(t2.name) && (t2 = this._context.aliases.get(t2.name).type);
    const n2 = this._updateNode(new te(e3.toString(), t2));
    return this._context.aliases.set(n2.name, n2), n2;
  }
  _type_decl() {
    var e3, t2, n2;
    if (this._check([He.tokens.ident, ...He.texel_format, He.keywords.bool, He.keywords.f32, He.keywords.i32, He.keywords.u32])) {
      const s3 = this._advance().toString();
      if (this._context.structs.has(s3)) return null !== (e3 = this._context.structs.get(s3)) && void 0 !== e3 ? e3 : null;
      if (this._context.aliases.has(s3)) return null !== (n2 = null === (t2 = this._context.aliases.get(s3)) || void 0 === t2 ? void 0 : t2.type) && void 0 !== n2 ? n2 : null;
      if (!this._getType(s3)) {
        const e4 = this._updateNode(new ae(s3));
        return this._forwardTypeCount++, e4;
      }
      return this._updateNode(new ie(s3));
    }
    let s2 = this._texture_sampler_types();
    if (s2) return s2;
    if (this._check(He.template_types)) {
      let e4 = this._advance().toString(), t3 = null, n3 = null;
      this._match(He.tokens.less_than) && (t3 = this._type_decl(), n3 = null, this._match(He.tokens.comma) && (n3 = this._consume(He.access_mode, "Expected access_mode for pointer").toString()), this._consume(He.tokens.greater_than, "Expected '>' for type."));
      return this._updateNode(new le(e4, t3, n3));
    }
    if (this._match(He.keywords.ptr)) {
      let e4 = this._previous().toString();
      this._consume(He.tokens.less_than, "Expected '<' for pointer.");
      const t3 = this._consume(He.storage_class, "Expected storage_class for pointer");
      this._consume(He.tokens.comma, "Expected ',' for pointer.");
      const n3 = this._type_decl();
      let s3 = null;
      this._match(He.tokens.comma) && (s3 = this._consume(He.access_mode, "Expected access_mode for pointer").toString()), this._consume(He.tokens.greater_than, "Expected '>' for pointer.");
      return this._updateNode(new ue(e4, t3.toString(), n3, s3));
    }
    const r2 = this._attribute();
    if (this._match(He.keywords.array)) {
      let e4 = null, t3 = -1;
      const n3 = this._previous();
      let s3 = null;
      if (this._match(He.tokens.less_than)) {
        e4 = this._type_decl(), this._context.aliases.has(e4.name) && (e4 = this._context.aliases.get(e4.name).type);
        let n4 = "";
        if (this._match(He.tokens.comma)) {
          s3 = this._shift_expression();
          try {
            n4 = s3.constEvaluate(this._exec).toString(), s3 = null;
          } catch (e5) {
            n4 = "1";
          }
        }
        this._consume(He.tokens.greater_than, "Expected '>' for array."), t3 = n4 ? parseInt(n4) : 0;
      }
      const i2 = this._updateNode(new ce(n3.toString(), r2, e4, t3));
      return s3 && this._deferArrayCountEval.push({ arrayType: i2, countNode: s3 }), i2;
    }
    return null;
  }
  _texture_sampler_types() {
    if (this._match(He.sampler_type)) return this._updateNode(new he(this._previous().toString(), null, null));
    if (this._match(He.depth_texture_type)) return this._updateNode(new he(this._previous().toString(), null, null));
    if (this._match(He.sampled_texture_type) || this._match(He.multisampled_texture_type)) {
      const e3 = this._previous();
      this._consume(He.tokens.less_than, "Expected '<' for sampler type.");
      const t2 = this._type_decl();
      return this._consume(He.tokens.greater_than, "Expected '>' for sampler type."), this._updateNode(new he(e3.toString(), t2, null));
    }
    if (this._match(He.storage_texture_type)) {
      const e3 = this._previous();
      this._consume(He.tokens.less_than, "Expected '<' for sampler type.");
      const t2 = this._consume(He.texel_format, "Invalid texel format.").toString();
      this._consume(He.tokens.comma, "Expected ',' after texel format.");
      const n2 = this._consume(He.access_mode, "Expected access mode for storage texture type.").toString();
      return this._consume(He.tokens.greater_than, "Expected '>' for sampler type."), this._updateNode(new he(e3.toString(), t2, n2));
    }
    return null;
  }
  _setTypeAttributes(e3, t2) {
    null === e3 || null === t2 || e3.isStruct || (e3.attributes = t2);
  }
  _attribute() {
    let e3 = [];
    for (; this._match(He.tokens.attr); ) {
      const t2 = this._consume(He.attribute_name, "Expected attribute name"), n2 = this._updateNode(new Ne(t2.toString(), null));
      if (this._match(He.tokens.paren_left)) {
        if (n2.value = this._consume(He.literal_or_ident, "Expected attribute value").toString(), this._check(He.tokens.comma)) {
          this._advance();
          do {
            const e4 = this._consume(He.literal_or_ident, "Expected attribute value").toString();
            Array.isArray(n2.value) || (n2.value = [n2.value]), n2.value.push(e4);
          } while (this._match(He.tokens.comma));
        }
        this._consume(He.tokens.paren_right, "Expected ')'");
      }
      e3.push(n2);
    }
    return 0 === e3.length ? null : e3;
  }
};
var wt = class extends ut {
  constructor(e3) {
    super(), void 0 !== e3 && this.update(e3);
  }
  update(e3) {
    const t2 = new bt().parse(e3);
    this.updateAST(t2);
  }
};
var Dt = /* @__PURE__ */ new Set(["dpdx", "dpdxCoarse", "dpdxFine", "dpdy", "dpdyCoarse", "dpdyFine", "fwidth", "fwidthCoarse", "fwidthFine"]);
var Bt = /* @__PURE__ */ new Set(["textureSample", "textureSampleBias"]);
var Mt = /* @__PURE__ */ new Set([...Dt, ...Bt]);
var Wt;
var qt;
((e3) => {
  e3[e3.Running = 0] = "Running", e3[e3.AtBarrier = 1] = "AtBarrier", e3[e3.Done = 2] = "Done";
})(Wt || (Wt = {}));
((e3) => {
  e3[e3.Running = 0] = "Running", e3[e3.AtRendezvous = 1] = "AtRendezvous", e3[e3.Done = 2] = "Done";
})(qt || (qt = {}));
var ln = /* @__PURE__ */ new Set(["atomicAdd", "atomicSub", "atomicMax", "atomicMin", "atomicAnd", "atomicOr", "atomicXor", "atomicExchange", "atomicCompareExchangeWeak", "atomicStore", "atomicLoad"]);
var un = /* @__PURE__ */ new Set(["workgroupBarrier", "storageBarrier", "textureBarrier"]);
var cn = /* @__PURE__ */ new Set([...ln, ...un, "workgroupUniformLoad"]);
var hn;
((e3) => {
  e3[e3.ExpensiveBuiltinInLoop = 1] = "ExpensiveBuiltinInLoop", e3[e3.CostlyArithmeticInLoop = 2] = "CostlyArithmeticInLoop", e3[e3.LoopInvariantExpression = 3] = "LoopInvariantExpression", e3[e3.AtomicInLoop = 4] = "AtomicInLoop", e3[e3.BarrierInLoop = 5] = "BarrierInLoop", e3[e3.AtomicStorageRead = 6] = "AtomicStorageRead", e3[e3.WorkgroupArrayThreadPrivate = 7] = "WorkgroupArrayThreadPrivate", e3[e3.WorkgroupStorageOversized = 8] = "WorkgroupStorageOversized", e3[e3.SerialScanEmulation = 9] = "SerialScanEmulation";
})(hn || (hn = {}));
var fn = { [hn.ExpensiveBuiltinInLoop]: "expensive-builtin-in-loop", [hn.CostlyArithmeticInLoop]: "costly-arithmetic-in-loop", [hn.LoopInvariantExpression]: "loop-invariant-expression", [hn.AtomicInLoop]: "atomic-in-loop", [hn.BarrierInLoop]: "barrier-in-loop", [hn.AtomicStorageRead]: "atomic-storage-read", [hn.WorkgroupArrayThreadPrivate]: "workgroup-array-thread-private", [hn.WorkgroupStorageOversized]: "workgroup-storage-oversized", [hn.SerialScanEmulation]: "serial-scan-emulation" };

// src/gpu/pipelines.ts
var formatOf = (t2) => t2?.format;
var PipelineCache = class {
  constructor(device2, options = {}) {
    this.device = device2;
    this.options = options;
  }
  device;
  options;
  variants = /* @__PURE__ */ new Map();
  pending = /* @__PURE__ */ new Map();
  ready = /* @__PURE__ */ new Map();
  /** The variant (reflected and with its bind group layout); created on first use, synchronously. */
  variant(kernel, dtype, constants = {}) {
    const key = variantKey(kernel.name, dtype, constants);
    let v2 = this.variants.get(key);
    if (v2) return v2;
    if (dtype === "f16" && !this.device.features.has("shader-f16")) {
      throw new FeatureMissingError("shader-f16", `kernel ${kernel.name} in f16`);
    }
    const code = preamble(dtype) + kernel.source;
    const bindings = reflectBindings(kernel.name, code);
    const layout = this.device.createBindGroupLayout({
      label: key,
      entries: bindings.map((b2) => ({
        binding: b2.binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: b2.kind }
      }))
    });
    const pipelineLayout = this.device.createPipelineLayout({ label: key, bindGroupLayouts: [layout] });
    v2 = { key, kernel, dtype, constants, code, bindings, layout, pipelineLayout };
    this.variants.set(key, v2);
    const dump = this.options.dumpWgsl;
    if (dump) (typeof dump === "function" ? dump : defaultDump)(key, code);
    return v2;
  }
  /** The compiled pipeline of a variant; compiled asynchronously once, then cached. */
  pipeline(v2) {
    const hit = this.pending.get(v2.key);
    if (hit) return hit;
    const promise = this.compile(v2);
    this.pending.set(v2.key, promise);
    promise.then((p2) => this.ready.set(v2.key, p2), () => this.pending.delete(v2.key));
    return promise;
  }
  /** A pipeline that already finished compiling, if any. */
  readyPipeline(key) {
    return this.ready.get(key);
  }
  get size() {
    return this.ready.size;
  }
  async compile(v2) {
    const module = this.device.createShaderModule({ label: v2.key, code: v2.code });
    const descriptor = {
      label: v2.key,
      layout: v2.pipelineLayout,
      compute: { module, entryPoint: v2.kernel.entryPoint ?? "main", constants: v2.constants }
    };
    try {
      if (this.options.asyncCompile) return await this.device.createComputePipelineAsync(descriptor);
      this.device.pushErrorScope("validation");
      const pipeline = this.device.createComputePipeline(descriptor);
      const error = await this.device.popErrorScope();
      if (error) throw error;
      return pipeline;
    } catch (err) {
      const info = await module.getCompilationInfo();
      const messages = info.messages.filter((m3) => m3.type === "error").map((m3) => `  line ${m3.lineNum}:${m3.linePos}: ${m3.message}`).join("\n");
      throw new GpuValidationError(`compiling kernel ${v2.key} failed: ${err.message}${messages ? "\n" + messages : ""}`);
    }
  }
};
function variantKey(name, dtype, constants) {
  const c2 = Object.keys(constants).sort().map((k2) => `${k2}=${constants[k2]}`).join(",");
  return `${name}:${dtype}${c2 ? ":" + c2 : ""}`;
}
function preamble(dtype) {
  return dtype === "f16" ? "enable f16;\nalias T = f16;\n" : "alias T = f32;\n";
}
function defaultDump(key, code) {
  console.log(`// ---- WGSL ${key} ----
${code}`);
}
var SCALARS = /* @__PURE__ */ new Set(["u32", "i32", "f32"]);
function reflectBindings(kernelName, code) {
  let reflect;
  try {
    reflect = new wt(code);
  } catch (err) {
    throw new GpuValidationError(`kernel ${kernelName}: WGSL could not be parsed: ${err.message}`);
  }
  const out = [];
  for (const u2 of reflect.uniforms) {
    if (u2.group !== 0) throw new BindingError(`kernel ${kernelName}: only @group(0) is supported (${u2.name})`);
    const members = (u2.members ?? []).map((m3) => {
      const isVec = m3.type.name.startsWith("vec");
      const scalar = (isVec ? formatOf(m3.type)?.name : m3.type.name) ?? "";
      if (!SCALARS.has(scalar)) throw new BindingError(`kernel ${kernelName}: uniform member ${u2.name}.${m3.name} has unsupported type ${m3.type.name}`);
      return { name: m3.name, offset: m3.offset, scalar, count: isVec ? Number(m3.type.name.slice(3, 4)) || m3.size / 4 : 1 };
    });
    out.push({ kind: "uniform", name: u2.name, binding: u2.binding, size: u2.size, members });
  }
  for (const s2 of reflect.storage) {
    if (s2.group !== 0) throw new BindingError(`kernel ${kernelName}: only @group(0) is supported (${s2.name})`);
    const format = formatOf(s2.type);
    const inner = formatOf(format);
    const elementType = format ? inner ? `${format.name}<${inner.name}>` : format.name : s2.type.name;
    const elementBytes = s2.type.isArray ? s2.stride : s2.size;
    out.push({
      kind: s2.access === "read_write" ? "storage" : "read-only-storage",
      name: s2.name,
      binding: s2.binding,
      elementType,
      elementBytes
    });
  }
  return out.sort((a2, b2) => a2.binding - b2.binding);
}

// src/gpu/profiler.ts
var Profiler = class {
  constructor(mode) {
    this.mode = mode;
  }
  mode;
  enabled = false;
  totals = /* @__PURE__ */ new Map();
  record(label, ns) {
    const row = this.totals.get(label) ?? { calls: 0, ns: 0 };
    row.calls++;
    row.ns += ns;
    this.totals.set(label, row);
  }
  reset() {
    this.totals.clear();
  }
  rows() {
    let all = 0;
    for (const r2 of this.totals.values()) all += r2.ns;
    return [...this.totals.entries()].map(([kernel, r2]) => ({ kernel, calls: r2.calls, totalMs: r2.ns / 1e6, meanMs: r2.ns / 1e6 / r2.calls, share: all ? r2.ns / all : 0 })).sort((a2, b2) => b2.totalMs - a2.totalMs);
  }
  /** A fixed-width table of rows(), for terminals and logs. */
  table() {
    const rows = this.rows();
    const total = rows.reduce((s2, r2) => s2 + r2.totalMs, 0);
    const width = Math.max(6, ...rows.map((r2) => r2.kernel.length));
    const line = (k2, c2, t2, m3, s2) => `${k2.padEnd(width)}  ${c2.padStart(6)}  ${t2.padStart(10)}  ${m3.padStart(9)}  ${s2.padStart(6)}`;
    return [
      `GPU time per kernel (${this.mode === "timestamp" ? "timestamp queries" : "wall clock per dispatch, includes submit overhead"})`,
      line("kernel", "calls", "total ms", "mean ms", "share"),
      ...rows.map((r2) => line(r2.kernel, String(r2.calls), r2.totalMs.toFixed(3), r2.meanMs.toFixed(4), (100 * r2.share).toFixed(1) + "%")),
      line("total", String(rows.reduce((s2, r2) => s2 + r2.calls, 0)), total.toFixed(3), "", "100%")
    ].join("\n");
  }
};

// src/gpu/tensor.ts
var BYTES_PER_ELEMENT = { f32: 4, f16: 2, i32: 4, u32: 4 };
var Tensor = class _Tensor {
  constructor(owner, buffer, shape, dtype, ownsBuffer = true) {
    this.owner = owner;
    this.buffer = buffer;
    this.shape = shape;
    this.dtype = dtype;
    this.ownsBuffer = ownsBuffer;
  }
  owner;
  buffer;
  shape;
  dtype;
  ownsBuffer;
  released = false;
  get size() {
    return shapeSize(this.shape);
  }
  get byteLength() {
    return this.size * BYTES_PER_ELEMENT[this.dtype];
  }
  get isDisposed() {
    return this.released;
  }
  /** Same buffer, new shape with the same element count. The view must not outlive this tensor. */
  reshape(shape) {
    this.assertAlive();
    if (shapeSize(shape) !== this.size) {
      throw new ShapeError(`cannot reshape [${this.shape}] (${this.size} elements) to [${shape}] (${shapeSize(shape)} elements)`);
    }
    return new _Tensor(this.owner, this.buffer, [...shape], this.dtype, false);
  }
  /** Reads the tensor back to the CPU (f16 is widened to f32). Submits pending work first. */
  read() {
    this.assertAlive();
    return this.owner.readTensor(this);
  }
  async readFloat32() {
    const data = await this.read();
    return data instanceof Float32Array ? data : Float32Array.from(data);
  }
  /** Returns the buffer to the engine's pool once the work already recorded with it is submitted. */
  dispose() {
    if (this.released) return;
    this.released = true;
    if (this.ownsBuffer) this.owner.releaseBuffer(this.buffer);
  }
  assertAlive() {
    if (this.released) throw new DisposedError(`tensor [${this.shape}] ${this.dtype} was used after dispose()`);
  }
};
function shapeSize(shape) {
  let n2 = 1;
  for (const d2 of shape) {
    if (!Number.isInteger(d2) || d2 < 0) throw new ShapeError(`invalid dimension ${d2} in shape [${shape}]`);
    n2 *= d2;
  }
  return n2;
}
function f32ToF16Bits(value) {
  f32Scratch[0] = value;
  const x2 = u32Scratch[0];
  const sign = x2 >>> 16 & 32768;
  const exp = x2 >>> 23 & 255;
  let mant = x2 & 8388607;
  if (exp === 255) return sign | 31744 | (mant ? 512 : 0);
  let e3 = exp - 127 + 15;
  if (e3 >= 31) return sign | 31744;
  if (e3 <= 0) {
    if (e3 < -10) return sign;
    mant |= 8388608;
    const shift = 14 - e3;
    let half2 = mant >>> shift;
    const rem2 = mant & (1 << shift) - 1;
    const halfway = 1 << shift - 1;
    if (rem2 > halfway || rem2 === halfway && half2 & 1) half2++;
    return sign | half2;
  }
  let half = e3 << 10 | mant >>> 13;
  const rem = mant & 8191;
  if (rem > 4096 || rem === 4096 && half & 1) half++;
  return sign | half;
}
function f16BitsToF32(h2) {
  const sign = h2 & 32768 ? -1 : 1;
  const exp = h2 >>> 10 & 31;
  const mant = h2 & 1023;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
var f32Scratch = new Float32Array(1);
var u32Scratch = new Uint32Array(f32Scratch.buffer);

// src/gpu/recorder.ts
function packUniforms(kernelName, u2, values = {}) {
  const bytes = new Uint8Array(Math.ceil(u2.size / 16) * 16);
  const view = new DataView(bytes.buffer);
  const known = new Set(u2.members.map((m3) => m3.name));
  for (const name of Object.keys(values)) {
    if (!known.has(name)) throw new BindingError(`kernel ${kernelName}: unknown uniform '${name}' (has: ${[...known].join(", ")})`);
  }
  for (const m3 of u2.members) {
    const value = values[m3.name];
    if (value === void 0) throw new BindingError(`kernel ${kernelName}: missing uniform '${m3.name}'`);
    const arr = typeof value === "number" ? [value] : value;
    if (arr.length !== m3.count) throw new BindingError(`kernel ${kernelName}: uniform '${m3.name}' needs ${m3.count} values, got ${arr.length}`);
    arr.forEach((x2, i2) => {
      const at2 = m3.offset + 4 * i2;
      if (m3.scalar === "f32") view.setFloat32(at2, x2, true);
      else {
        if (!Number.isInteger(x2)) throw new BindingError(`kernel ${kernelName}: uniform '${m3.name}' is ${m3.scalar} but got ${x2}`);
        if (m3.scalar === "u32") {
          if (x2 < 0 || x2 > 4294967295) throw new BindingError(`kernel ${kernelName}: uniform '${m3.name}' = ${x2} does not fit u32`);
          view.setUint32(at2, x2, true);
        } else view.setInt32(at2, x2, true);
      }
    });
  }
  return bytes;
}
var ELEMENT_DTYPES = { f32: "f32", f16: "f16", i32: "i32", u32: "u32" };
function bindTensors(variant, tensors, maxBindingSize) {
  const name = variant.kernel.name;
  const storage = variant.bindings.filter((b2) => b2.kind !== "uniform");
  const uniform = variant.bindings.find((b2) => b2.kind === "uniform");
  const expected = new Set(storage.map((b2) => b2.name));
  for (const key of Object.keys(tensors)) {
    if (!expected.has(key)) throw new BindingError(`kernel ${name}: no binding named '${key}' (expects: ${[...expected].join(", ")})`);
  }
  const buffers = /* @__PURE__ */ new Map();
  const writable = /* @__PURE__ */ new Set();
  const readable = /* @__PURE__ */ new Set();
  for (const b2 of storage) {
    const t2 = tensors[b2.name];
    if (!t2) throw new BindingError(`kernel ${name}: missing tensor for binding '${b2.name}'`);
    t2.assertAlive();
    const scalar = b2.elementType.replace(/^vec\d<(.+)>$/, "$1");
    if (ELEMENT_DTYPES[scalar] !== t2.dtype) {
      throw new BindingError(`kernel ${name}: binding '${b2.name}' holds ${b2.elementType} but the tensor is ${t2.dtype} [${t2.shape}]`);
    }
    if (t2.buffer.size > maxBindingSize && t2.byteLength > maxBindingSize) {
      throw new LimitExceededError("maxStorageBufferBindingSize", t2.byteLength, maxBindingSize, `kernel ${name}: binding '${b2.name}' [${t2.shape}]`);
    }
    if (b2.kind === "storage") {
      if (writable.has(t2.buffer) || readable.has(t2.buffer)) {
        throw new BindingError(`kernel ${name}: binding '${b2.name}' is writable but its buffer is bound twice (use a ping-pong buffer)`);
      }
      writable.add(t2.buffer);
    } else {
      if (writable.has(t2.buffer)) throw new BindingError(`kernel ${name}: binding '${b2.name}' aliases a writable binding`);
      readable.add(t2.buffer);
    }
    buffers.set(b2.binding, t2.buffer);
  }
  return { buffers, uniform };
}

// src/gpu/wait.ts
var GpuWaiter = class {
  constructor(sleepFirst) {
    this.sleepFirst = sleepFirst;
  }
  sleepFirst;
  expectedMs = /* @__PURE__ */ new Map();
  /** Awaits `start()` (a GPU promise) for the wait kind `kind`, sleeping first in Node. */
  async wait(kind, start) {
    const t0 = now();
    const expected = this.expectedMs.get(kind) ?? 0;
    if (this.sleepFirst && expected > 2) await sleep(expected * 0.85);
    const result = await start();
    const took = now() - t0;
    this.expectedMs.set(kind, expected === 0 ? took : took < expected ? 0.5 * expected + 0.5 * took : 0.8 * expected + 0.2 * took);
    return result;
  }
};
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
function now() {
  return globalThis.performance?.now() ?? Date.now();
}

// src/gpu/engine.ts
var UNIFORM_ALIGN = 256;
var Engine = class _Engine {
  device;
  features;
  limits;
  adapterInfo;
  source;
  icd;
  pool;
  pipelines;
  profiler;
  owned;
  waiter;
  recorded = [];
  uniformArena;
  staging = /* @__PURE__ */ new Set();
  uncaptured = [];
  lostError;
  disposed = false;
  onUncapturedError = (ev) => this.uncaptured.push(ev.error);
  static async create(options = {}) {
    return new _Engine(await acquireDevice(options), options);
  }
  constructor(acquired, options) {
    const device2 = acquired.device;
    this.device = device2;
    this.owned = acquired.owned;
    this.source = acquired.source;
    this.icd = acquired.icd;
    this.adapterInfo = acquired.adapterInfo;
    this.features = new Set(device2.features);
    this.limits = device2.limits;
    this.pool = new BufferPool(device2, {
      enabled: options.debug?.pooling ?? true,
      maxIdleBytes: options.maxIdlePoolBytes ?? 256 * 2 ** 20
    });
    this.pipelines = new PipelineCache(device2, { dumpWgsl: options.debug?.dumpWgsl, asyncCompile: acquired.source !== "dawn-node" });
    this.profiler = new Profiler(this.features.has("timestamp-query") ? "timestamp" : "wallclock");
    this.waiter = new GpuWaiter(acquired.source === "dawn-node");
    
    void (async()=>{})().then((info) => {
      this.lostError = new DeviceLostError(info.reason ?? "unknown", info.message);
      if (!this.disposed) options.onDeviceLost?.(this.lostError);
    });
  }
  has(feature) {
    return this.features.has(feature);
  }
  /** A one-line description of the adapter for logs and benchmark reports. */
  describe() {
    const a2 = this.adapterInfo;
    const name = [a2.vendor, a2.architecture, a2.device, a2.description].filter(Boolean).join(" ") || "unknown adapter";
    return `${name} via ${this.source}${this.icd ? ` (${this.icd})` : ""}; features: ${[...this.features].filter((f2) => ["shader-f16", "timestamp-query", "subgroups"].includes(f2)).join(", ") || "none"}`;
  }
  // ---- tensors -------------------------------------------------------------------------
  /** An uninitialised tensor for a kernel's output. */
  empty(shape, dtype = "f32", label) {
    this.assertUsable();
    const bytes = shapeSize(shape) * BYTES_PER_ELEMENT[dtype];
    return new Tensor(this, this.pool.acquire(bytes, false, label), [...shape], dtype);
  }
  /** Uploads host data; f32 values are rounded to f16 for f16 tensors. */
  upload(data, shape, dtype = "f32", label) {
    this.assertUsable();
    const n2 = shapeSize(shape);
    if (data.length !== n2) throw new ShapeError(`upload: ${data.length} values for shape [${shape}] (${n2} elements)`);
    const tensor = new Tensor(this, this.pool.acquire(n2 * BYTES_PER_ELEMENT[dtype], true, label), [...shape], dtype);
    this.writeRaw(tensor.buffer, encode(data, dtype));
    return tensor;
  }
  zeros(shape, dtype = "f32") {
    return this.upload(new Float32Array(shapeSize(shape)), shape, dtype);
  }
  /** Overwrites a tensor's contents. Pending recorded work is submitted first, so it still sees the old data. */
  async write(tensor, data) {
    tensor.assertAlive();
    if (data.length !== tensor.size) throw new ShapeError(`write: ${data.length} values for tensor [${tensor.shape}]`);
    if (this.recorded.length) await this.submit();
    this.writeRaw(tensor.buffer, encode(data, tensor.dtype));
  }
  releaseBuffer(buffer) {
    if (this.disposed) return;
    this.pool.release(buffer, this.recorded.length > 0);
  }
  async readTensor(tensor) {
    await this.submit();
    const bytes = Math.ceil(tensor.byteLength / 4) * 4;
    const staging = this.device.createBuffer({ size: Math.max(bytes, 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.staging.add(staging);
    try {
      const encoder = this.device.createCommandEncoder();
      encoder.copyBufferToBuffer(tensor.buffer, 0, staging, 0, bytes);
      this.device.queue.submit([encoder.finish()]);
      await this.waiter.wait("read", () => staging.mapAsync(GPUMapMode.READ));
      this.throwIfFailed();
      const raw = staging.getMappedRange().slice(0);
      staging.unmap();
      switch (tensor.dtype) {
        case "f32":
          return new Float32Array(raw, 0, tensor.size);
        case "i32":
          return new Int32Array(raw, 0, tensor.size);
        case "u32":
          return new Uint32Array(raw, 0, tensor.size);
        case "f16": {
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
  dispatch(call) {
    this.assertUsable();
    const variant = this.pipelines.variant(call.kernel, call.dtype ?? "f32", call.constants);
    const { buffers, uniform } = bindTensors(variant, call.bindings, this.limits.maxStorageBufferBindingSize);
    const [x2, y2 = 1, z2 = 1] = call.workgroups;
    const maxDim = this.limits.maxComputeWorkgroupsPerDimension;
    for (const d2 of [x2, y2, z2]) {
      if (!Number.isInteger(d2) || d2 < 0) throw new BindingError(`kernel ${call.kernel.name}: invalid workgroup count ${d2}`);
      if (d2 > maxDim) throw new LimitExceededError("maxComputeWorkgroupsPerDimension", d2, maxDim, `kernel ${call.kernel.name} dispatch`);
    }
    if (x2 * y2 * z2 === 0) return;
    this.recorded.push({
      variant,
      buffers,
      uniformData: uniform ? packUniforms(call.kernel.name, uniform, call.uniforms) : null,
      uniformBinding: uniform?.binding ?? -1,
      workgroups: [x2, y2, z2],
      label: call.label ?? call.kernel.name
    });
    if (!uniform && call.uniforms && Object.keys(call.uniforms).length) {
      throw new BindingError(`kernel ${call.kernel.name} has no uniform struct but was given uniforms`);
    }
  }
  /** Number of dispatches recorded and not yet submitted. */
  get pendingDispatches() {
    return this.recorded.length;
  }
  /**
   * Submits the recorded step as one command encoder. Resolves once WebGPU has accepted it
   * (not when the GPU finishes: use sync() or read a tensor for that). Validation and
   * out-of-memory errors of the step are thrown here, with WebGPU's message.
   */
  async submit() {
    this.assertUsable();
    const step2 = this.recorded;
    this.recorded = [];
    if (!step2.length) {
      await this.pool.checkAllocations();
      return;
    }
    let pipelines;
    try {
      pipelines = await Promise.all(step2.map((d2) => this.pipelines.pipeline(d2.variant)));
      await this.pool.checkAllocations();
    } catch (err) {
      this.pool.onSubmitted();
      throw err;
    }
    const device2 = this.device;
    device2.pushErrorScope("out-of-memory");
    device2.pushErrorScope("validation");
    const arena = this.writeUniformArena(step2);
    const profiling = this.profiler.enabled;
    if (profiling && this.profiler.mode === "wallclock") {
      for (let i2 = 0; i2 < step2.length; i2++) {
        const t0 = now();
        device2.queue.submit([this.encode([step2[i2]], [pipelines[i2]], arena, i2).finish()]);
        await this.waiter.wait(`dispatch:${step2[i2].label}`, () => device2.queue.onSubmittedWorkDone());
        this.profiler.record(step2[i2].label, (now() - t0) * 1e6);
      }
    } else if (profiling) {
      await this.submitWithTimestamps(step2, pipelines, arena);
    } else {
      device2.queue.submit([this.encode(step2, pipelines, arena, 0).finish()]);
    }
    this.pool.onSubmitted();
    const [validation, oom] = await Promise.all([device2.popErrorScope(), device2.popErrorScope()]);
    if (oom) throw new GpuOutOfMemoryError(`out of GPU memory in step [${summarize(step2)}]: ${oom.message}`);
    if (validation) throw new GpuValidationError(`WebGPU rejected step [${summarize(step2)}]: ${validation.message}`);
    this.throwIfFailed();
  }
  /** Submits pending work and waits until the GPU has finished it. */
  async sync() {
    await this.submit();
    await this.waiter.wait("sync", () => this.device.queue.onSubmittedWorkDone());
    this.throwIfFailed();
  }
  /** Frees every GPU resource the engine made; destroys the device only if the engine created it. */
  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    this.recorded = [];
    this.device.removeEventListener("uncapturederror", this.onUncapturedError);
    this.pool.destroyAll();
    this.uniformArena?.destroy();
    for (const s2 of this.staging) s2.destroy();
    if (this.owned) this.device.destroy();
  }
  get isDisposed() {
    return this.disposed;
  }
  poolStats() {
    return this.pool.getStats();
  }
  // ---- internals -----------------------------------------------------------------------
  writeRaw(buffer, bytes) {
    const padded = bytes.byteLength % 4 ? new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4) : bytes;
    if (padded !== bytes) padded.set(bytes);
    this.device.queue.writeBuffer(buffer, 0, padded.buffer, padded.byteOffset, padded.byteLength);
  }
  writeUniformArena(step2) {
    const count = step2.filter((d2) => d2.uniformData).length;
    if (!count) return void 0;
    const needed = step2.length * UNIFORM_ALIGN;
    if (!this.uniformArena || this.uniformArena.size < needed) {
      this.uniformArena?.destroy();
      this.uniformArena = this.device.createBuffer({
        label: "uniform arena",
        size: Math.max(needed, 64 * UNIFORM_ALIGN) * 2,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST
      });
    }
    const bytes = new Uint8Array(needed);
    step2.forEach((d2, i2) => d2.uniformData && bytes.set(d2.uniformData, i2 * UNIFORM_ALIGN));
    this.device.queue.writeBuffer(this.uniformArena, 0, bytes);
    return this.uniformArena;
  }
  /** Encodes dispatches; `first` is the index of step[0] in the uniform arena. */
  encode(step2, pipelines, arena, first, timestamps) {
    const encoder = this.device.createCommandEncoder();
    const maxBinding = this.limits.maxStorageBufferBindingSize;
    let pass;
    step2.forEach((d2, i2) => {
      const entries = [];
      for (const [binding, buffer] of d2.buffers) {
        entries.push({ binding, resource: { buffer, size: buffer.size > maxBinding ? maxBinding - maxBinding % 4 : void 0 } });
      }
      if (d2.uniformData) {
        entries.push({ binding: d2.uniformBinding, resource: { buffer: arena, offset: (first + i2) * UNIFORM_ALIGN, size: d2.uniformData.byteLength } });
      }
      const group = this.device.createBindGroup({ layout: d2.variant.layout, entries });
      if (timestamps) {
        pass = encoder.beginComputePass({ timestampWrites: { querySet: timestamps, beginningOfPassWriteIndex: 2 * i2, endOfPassWriteIndex: 2 * i2 + 1 } });
      } else {
        pass ??= encoder.beginComputePass();
      }
      pass.setPipeline(pipelines[i2]);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(...d2.workgroups);
      if (timestamps) pass.end();
    });
    if (!timestamps) pass?.end();
    return encoder;
  }
  async submitWithTimestamps(step2, pipelines, arena) {
    const count = 2 * step2.length;
    const querySet = this.device.createQuerySet({ type: "timestamp", count });
    const resolve = this.device.createBuffer({ size: 8 * count, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const read = this.device.createBuffer({ size: 8 * count, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    try {
      const encoder = this.encode(step2, pipelines, arena, 0, querySet);
      encoder.resolveQuerySet(querySet, 0, count, resolve, 0);
      encoder.copyBufferToBuffer(resolve, 0, read, 0, 8 * count);
      this.device.queue.submit([encoder.finish()]);
      await this.waiter.wait("profile", () => read.mapAsync(GPUMapMode.READ));
      const ticks = new BigInt64Array(read.getMappedRange());
      step2.forEach((d2, i2) => this.profiler.record(d2.label, Number(ticks[2 * i2 + 1] - ticks[2 * i2])));
      read.unmap();
    } finally {
      querySet.destroy();
      resolve.destroy();
      read.destroy();
    }
  }
  assertUsable() {
    if (this.disposed) throw new DisposedError("this engine was disposed");
    this.throwIfFailed();
  }
  throwIfFailed() {
    if (this.lostError) throw this.lostError;
    const err = this.uncaptured.shift();
    if (err) {
      this.uncaptured = [];
      if (err instanceof GPUOutOfMemoryError) throw new GpuOutOfMemoryError(err.message);
      throw new GpuValidationError(err.message);
    }
  }
};
function encode(data, dtype) {
  switch (dtype) {
    case "f32":
      return new Uint8Array(Float32Array.from(data).buffer);
    case "i32":
      return new Uint8Array(checkedInts(data, Int32Array, -(2 ** 31), 2 ** 31 - 1).buffer);
    case "u32":
      return new Uint8Array(checkedInts(data, Uint32Array, 0, 2 ** 32 - 1).buffer);
    case "f16":
      return new Uint8Array(Uint16Array.from(data, f32ToF16Bits).buffer);
  }
}
function checkedInts(data, Ctor, lo, hi) {
  for (let i2 = 0; i2 < data.length; i2++) {
    const v2 = data[i2];
    if (!Number.isInteger(v2) || v2 < lo || v2 > hi) throw new EngineError(`upload: element ${i2} = ${v2} is not a valid integer for this dtype`);
  }
  return Ctor.from(data);
}
function summarize(step2) {
  const names = [...new Set(step2.map((d2) => d2.label))];
  return names.length > 6 ? `${names.slice(0, 6).join(", ")}, ...` : names.join(", ");
}

// src/shaders/unary.wgsl
var unary_default = "// Elementwise unary map: out[i] = f(alpha * a[i] + beta), f chosen by the OP override.\n// Used for activations outside fused epilogues and for scale/shift of whole tensors.\n\nstruct Params {\n  n: u32,\n  alpha: f32,\n  beta: f32,\n}\n\n@group(0) @binding(0) var<uniform> params: Params;\n@group(0) @binding(1) var<storage, read> a: array<T>;\n@group(0) @binding(2) var<storage, read_write> out: array<T>;\n\n// 0 identity, 1 SiLU, 2 GELU (tanh approximation), 3 exp\noverride OP: u32 = 0;\noverride WG: u32 = 256;\n\nfn apply(x: f32) -> f32 {\n  switch OP {\n    case 1u: { return x / (1.0 + exp(-x)); }\n    case 2u: {\n      // tanh(y) written via exp so large |y| saturates instead of overflowing.\n      let y = 0.7978845608028654 * (x + 0.044715 * x * x * x);\n      let e = exp(-2.0 * abs(y));\n      return 0.5 * x * (1.0 + sign(y) * (1.0 - e) / (1.0 + e));\n    }\n    case 3u: { return exp(x); }\n    default: { return x; }\n  }\n}\n\n@compute @workgroup_size(WG)\nfn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,\n        @builtin(local_invocation_index) lane: u32) {\n  // 2-D grid so that more than 65535 workgroups of elements can be addressed.\n  let i = (wg.y * groups.x + wg.x) * WG + lane;\n  if (i >= params.n) { return; }\n  out[i] = T(apply(params.alpha * f32(a[i]) + params.beta));\n}\n";

// ../../tmp/t5.ts
var e2 = await Engine.create();
var device = e2.device;
var step = process.argv[2];
var m2 = device.createShaderModule({ code: "alias T = f32;\n" + unary_default });
device.pushErrorScope("validation");
var pl = device.createComputePipeline({ layout: "auto", compute: { module: m2, entryPoint: "main", constants: { OP: 1, WG: 256 } } });
console.log("created");
var er = await device.popErrorScope();
console.log("ok", er);
device.destroy();
