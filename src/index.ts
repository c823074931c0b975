/**
 * ba-webgpu: few-step flow-matching sampling (BA-solver) for SiT transformers on WebGPU.
 * The entry point apps import; the rest ships as subpaths: `ba-webgpu/eval` (metrics, PNG,
 * plots, reports), `ba-webgpu/train` (SideNet training) and `ba-webgpu/node` (its files on disk).
 */
// The API names WebGPU types (GPUDevice, GPUTexture): apps get them with the package.
/// <reference types="@webgpu/types" preserve="true" />
export { Engine, type EngineOptions, type KernelProfile, type KernelProfileOption, type StepTiming, type SubmitOptions } from './gpu/engine.js';
export { autotuneMatmul, matmulCandidates, type MatmulVariant } from './gpu/ops/matmul.js';
export { loadTuning, tuningTable, type TuningTable } from './gpu/ops/autotune.js';
export { Tensor, type DType } from './gpu/tensor.js';
export * from './gpu/errors.js';
export type { ProfileRow } from './gpu/profiler.js';
export { SitModel, type Guidance } from './model/sit.js';
export { SideNetModel } from './model/sidenet.js';
export { VaeDecoder, type VaeDecodeOptions } from './model/vae.js';
export { DEFAULT_STALL_TIMEOUT_MS, loadWeights, WeightFileError, WeightLoadAbortedError, type LoadOptions, type LoadProgress, type WeightSource, type WeightFileMetadata } from './model/weights.js';
export type { VaeArch } from './model/weights.js';
export { sample, type SampleOptions, type SolverName } from './solver/index.js';
export type { VelocityCorrector, VelocityModel } from './solver/models.js';
export { ImageGenerator, GeneratorError, DeviceLostEvent, type DecodeOptions, type GenerateOptions, type GenerateStep, type GeneratorCreateOptions, type GeneratorLoadOptions, type GeneratorReloadOptions, type ImageGeneratorEventMap, type ModelLoadProgress, type ModelSources } from './generator.js';
export { createImageTexture, readTexturePixels, TextureError, IMAGE_TEXTURE_FORMATS, type ImageTextureFormat } from './gpu/texture.js';
export { MAX_SEED, NonFiniteSampleError, SamplerError, SamplingAbortedError, type GuidanceOptions, type StepInfo } from './solver/index.js';
export { FASHION_CODEC, decodePixels, encodePixels, type PixelLatentCodec } from './model/pixel-latent.js';
