/**
 * ba-webgpu: few-step flow-matching sampling (BA-solver) for SiT transformers on WebGPU.
 * The one entry point apps import.
 */
export { Engine, type EngineOptions } from './gpu/engine.js';
export { Tensor, type DType } from './gpu/tensor.js';
export * from './gpu/errors.js';
export type { ProfileRow } from './gpu/profiler.js';
export { SitModel, type Guidance } from './model/sit.js';
export { SideNetModel } from './model/sidenet.js';
export { loadWeights, WeightFileError, type LoadOptions, type LoadProgress, type WeightSource, type WeightFileMetadata } from './model/weights.js';
export { sample, type SampleOptions, type SolverName } from './solver/index.js';
export type { VelocityCorrector, VelocityModel } from './solver/models.js';
