/**
 * `ba-webgpu/train`: SideNet training on the engine's GPU (Algorithm 2, chain-based
 * simulation). Runs in Node and browsers; checkpoint files and IDX files on disk are Node-only
 * and live in `ba-webgpu/node`.
 */
/// <reference types="@webgpu/types" preserve="true" />
export { ChainTrainer, CheckpointError, DEFAULT_CHAIN_CONFIG, TrainingDivergedError, learningRate, type ChainConfig, type StepResult } from './chain.js';
export { InMemoryDataset, idxDataset, parseIdx, type LatentDataset } from './data.js';
export { SideNetGraph } from './sidenet-graph.js';
export { parseSafetensors, SafetensorsError, serializeSafetensors, verifySafetensorsChecksum, type NamedArray } from './safetensors.js';
export type { SideNetArch } from '../model/weights.js';
