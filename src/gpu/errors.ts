/**
 * Typed errors. Every failure the engine can detect names what was wrong (a shape, a binding,
 * a limit, a feature) so callers never have to decode a shader crash or a silent NaN.
 */
export class EngineError extends Error {
  override name = 'EngineError';
}

/** No WebGPU adapter could be found (or the host offers no WebGPU at all). */
export class GpuUnavailableError extends EngineError {
  override name = 'GpuUnavailableError';
}

/** An optional feature (shader-f16, timestamp-query, subgroups) was required but not granted. */
export class FeatureMissingError extends EngineError {
  override name = 'FeatureMissingError';
  constructor(readonly feature: string, what: string) {
    super(`${what} needs the WebGPU feature '${feature}', which this device was not granted`);
  }
}

/** A size or count is over one of the device's limits. */
export class LimitExceededError extends EngineError {
  override name = 'LimitExceededError';
  constructor(readonly limit: string, readonly requested: number, readonly allowed: number, what: string) {
    super(`${what}: ${requested} exceeds the device limit ${limit} = ${allowed}`);
  }
}

/** WebGPU reported a validation error; the message is WebGPU's own. */
export class GpuValidationError extends EngineError {
  override name = 'GpuValidationError';
}

/** WebGPU reported out-of-memory while creating a resource. */
export class GpuOutOfMemoryError extends EngineError {
  override name = 'GpuOutOfMemoryError';
}

/** The GPUDevice was lost; the engine cannot be used any more. */
export class DeviceLostError extends EngineError {
  override name = 'DeviceLostError';
  constructor(readonly reason: string, message: string) {
    super(`GPU device lost (${reason}): ${message}`);
  }
}

/** Tensor shapes or dtypes that an op cannot accept. */
export class ShapeError extends EngineError {
  override name = 'ShapeError';
}

/** Arguments to a kernel that do not match its WGSL bindings. */
export class BindingError extends EngineError {
  override name = 'BindingError';
}

/** Use of an engine or tensor after dispose(). */
export class DisposedError extends EngineError {
  override name = 'DisposedError';
}
