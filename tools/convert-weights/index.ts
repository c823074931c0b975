/** Public API of the weight converter (used by cli.ts and tests). */
export {
  convert,
  outputClash,
  planConversion,
  readCheckpoint,
  METADATA_KEY,
  type BaWebgpuMetadata,
  type ConversionPlan,
  type ConvertOptions,
  type ConvertResult,
  type TensorInfo,
  type WeightSource,
} from './convert.js';
export * from './errors.js';
export { f32BitsToF16Bits, numberToF16Bits, f16BitsToNumber, type DType, type OutputDType } from './dtype.js';
export { RandomAccessFile } from './file.js';
export { mapLayout, type Convention, type ModelKind, type SideNetArch, type SitArch, type SourceLayout, type VaeArch } from './layouts.js';
export { readSafetensors, SafetensorsWriter, type SafetensorsFile, type TensorSpec } from './safetensors.js';
export type { TensorSource } from './tensor.js';
