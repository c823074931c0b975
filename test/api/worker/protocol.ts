/** Messages between the Web Worker test page and its worker. */
import type { GenerateOptions, ModelSources } from '../../../src/index.js';

export interface WorkerRequest {
  models: ModelSources;
  request: GenerateOptions;
}

export type WorkerReply = { pixels: Uint8Array; width: number; height: number; isWorker: boolean } | { error: string };
