/** Browsers' and Web Workers' half of the platform layer (see api.ts): WebGPU comes only from navigator.gpu, weights only from URLs. */
import { GpuUnavailableError } from '../gpu/errors.js';
import type { OpenLocalFile, RequestNativeAdapter } from './api.js';

export const requestNativeAdapter: RequestNativeAdapter = async () => {
  throw new GpuUnavailableError('this environment has no navigator.gpu: WebGPU is unavailable');
};

export const openLocalFile: OpenLocalFile = () => undefined;
