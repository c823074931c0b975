import { EngineError } from '../gpu/errors.js';

/** A value the evaluation tools cannot use (NaN features, a non-positive value on a log axis, ...). */
export class EvalInputError extends EngineError {
  override name = 'EvalInputError';
}
