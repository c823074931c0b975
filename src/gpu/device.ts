/**
 * Acquiring a GPUDevice: handed in by the host app, from `navigator.gpu` in browsers and
 * workers, or from Dawn (the `webgpu` npm package) in Node.
 *
 * Node adapter search order:
 *  1. `VK_ICD_FILENAMES` when the caller set it (respected as is);
 *  2. the system's Vulkan drivers (a hardware GPU; lavapipe too when it sits in the standard
 *     ICD directory);
 *  3. a software Vulkan ICD found on disk, first Mesa lavapipe (fast, shader-f16,
 *     timestamps), then Chromium's SwiftShader (slower, no f16): see SOFTWARE_ICDS.
 * The Node-only part (loading Dawn, the ICD search) is in src/platform/node.ts, so that browser
 * bundles carry none of it.
 */
import { requestNativeAdapter } from '#platform';
import { FeatureMissingError, GpuUnavailableError } from './errors.js';

/** The optional features the engine uses when the adapter offers them. */
export const OPTIONAL_FEATURES = ['shader-f16', 'timestamp-query', 'subgroups'] as const;
export type OptionalFeature = (typeof OPTIONAL_FEATURES)[number];

/** Limits the engine raises to the adapter's maximum (defaults are far smaller). */
const REQUESTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

/** Software Vulkan ICDs, in order of preference (fastest first). */
export const SOFTWARE_ICDS = [
  '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json',
  '/usr/share/vulkan/icd.d/lvp_icd.json',
  '/usr/share/vulkan/icd.d/lvp_icd.aarch64.json',
  '/usr/lib/chromium/vk_swiftshader_icd.json',
];

export interface DeviceOptions {
  /** An existing device (for example the host app's); the engine will not destroy it. */
  device?: GPUDevice;
  powerPreference?: GPUPowerPreference;
  /** Features that must be granted; acquisition fails with FeatureMissingError otherwise. */
  requiredFeatures?: OptionalFeature[];
  /** Optional features to leave off even when offered (e.g. to test the f32 path). */
  disableFeatures?: OptionalFeature[];
}

export interface AcquiredDevice {
  device: GPUDevice;
  /** True when the engine created the device and may destroy it on dispose. */
  owned: boolean;
  /** Where the device came from, for logs and reports. */
  source: 'host' | 'navigator' | 'dawn-node';
  /** The Vulkan ICD file Dawn was pointed at, when the engine chose one. */
  icd?: string;
  adapterInfo: { vendor: string; architecture: string; device: string; description: string };
}

export async function acquireDevice(options: DeviceOptions = {}): Promise<AcquiredDevice> {
  if (options.device) {
    checkRequired(options.device.features, options.requiredFeatures);
    return { device: options.device, owned: false, source: 'host', adapterInfo: describeAdapter(options.device.adapterInfo) };
  }
  const nav = (globalThis as { navigator?: Navigator }).navigator;
  if (nav?.gpu) {
    const adapter = await nav.gpu.requestAdapter({ powerPreference: options.powerPreference });
    if (!adapter) throw new GpuUnavailableError('navigator.gpu.requestAdapter() returned no adapter (is WebGPU enabled?)');
    return { device: await openDevice(adapter, options), owned: true, source: 'navigator', adapterInfo: describeAdapter(adapter.info) };
  }
  const native = await requestNativeAdapter(options.powerPreference, SOFTWARE_ICDS);
  return { device: await openDevice(native.adapter, options), owned: true, source: 'dawn-node', icd: native.icd, adapterInfo: describeAdapter(native.adapter.info) };
}

async function openDevice(adapter: GPUAdapter, options: DeviceOptions): Promise<GPUDevice> {
  checkRequired(adapter.features, options.requiredFeatures);
  const disabled = new Set(options.disableFeatures ?? []);
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f) && !disabled.has(f));
  const requiredLimits: Record<string, number> = {};
  for (const name of REQUESTED_LIMITS) requiredLimits[name] = adapter.limits[name];
  return adapter.requestDevice({ requiredFeatures, requiredLimits, label: 'ba-webgpu' });
}

function checkRequired(features: GPUSupportedFeatures, required: OptionalFeature[] = []) {
  for (const f of required) if (!features.has(f)) throw new FeatureMissingError(f, 'this engine configuration');
}

function describeAdapter(info: GPUAdapterInfo | undefined): AcquiredDevice['adapterInfo'] {
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
  };
}

