/**
 * `ba-webgpu/node`: the Node-only helpers of training: durable checkpoint files (atomic
 * writes, resuming from the newest valid one, pruning) and MNIST-style IDX files from disk.
 */
/// <reference types="@webgpu/types" preserve="true" />
export { checkpointPath, latestCheckpoint, loadIdxFiles, restoreLatestCheckpoint, saveCheckpoint, writeAtomic, type SkippedCheckpoint } from './train/node.js';
