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
export { VaeDecoder, type VaeDecodeOptions } from './model/vae.js';
export { DEFAULT_STALL_TIMEOUT_MS, loadWeights, WeightFileError, WeightLoadAbortedError, type LoadOptions, type LoadProgress, type WeightSource, type WeightFileMetadata } from './model/weights.js';
export type { VaeArch } from './model/weights.js';
export { sample, type SampleOptions, type SolverName } from './solver/index.js';
export type { VelocityCorrector, VelocityModel } from './solver/models.js';
export { ImageClassifier, type Classification, type ClassifierDescription } from './eval/classifier.js';
export { fitGaussian, frechetDistance, featureFrechetDistance, type GaussianFit } from './eval/frechet.js';
export { encodePng, imageGridPng, type ImageGridOptions, type PngChannels } from './eval/png.js';
export { renderLinePlotPng, renderLinePlotSvg, type LinePlot, type PlotPoint, type PlotSeries, type ReferenceLine } from './eval/plot.js';
export { markdownTable, metricTable, type MetricRow, type MetricTableOptions } from './eval/report.js';
export { EvalInputError } from './eval/errors.js';
export { ImageGenerator, GeneratorError, type DecodeOptions, type GenerateOptions, type GenerateStep, type GeneratorLoadOptions, type ModelLoadProgress, type ModelSources } from './generator.js';
export { createImageTexture, readTexturePixels, TextureError, IMAGE_TEXTURE_FORMATS, type ImageTextureFormat } from './gpu/texture.js';
export { MAX_SEED, NonFiniteSampleError, SamplerError, SamplingAbortedError, type GuidanceOptions, type StepInfo } from './solver/index.js';
export { FASHION_CODEC, decodePixels, encodePixels, type PixelLatentCodec } from './model/pixel-latent.js';
