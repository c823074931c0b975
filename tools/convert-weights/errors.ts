/**
 * Typed errors of the converter. Each message names the file, key, shape or dtype involved so
 * a user can act on it without reading the converter's source.
 */
export class ConvertError extends Error {
  override name = 'ConvertError';
}

/** The file is not a format we read (not a zip, not safetensors). */
export class UnsupportedFormatError extends ConvertError {
  override name = 'UnsupportedFormatError';
}

/** A pre-1.6 torch.save file (a bare pickle stream, not a zip archive). */
export class LegacyTorchFormatError extends ConvertError {
  override name = 'LegacyTorchFormatError';
  constructor(file: string) {
    super(
      `${file} uses the legacy (pre-1.6) torch.save format, which this converter does not read; ` +
        're-save it with torch>=1.6: `torch.save(torch.load(path, map_location="cpu"), new_path)` ' +
        '(the zip format is the default)',
    );
  }
}

/** The file ends before a structure it announces (zip directory, entry data, tensor range). */
export class TruncatedFileError extends ConvertError {
  override name = 'TruncatedFileError';
}

/** A structural problem inside a readable container (bad pickle, compressed zip entry...). */
export class CorruptFileError extends ConvertError {
  override name = 'CorruptFileError';
}

/** Keys that the layout does not know. */
export class UnknownKeyError extends ConvertError {
  override name = 'UnknownKeyError';
  constructor(readonly keys: string[], layout: string) {
    super(`unknown ${layout} key${keys.length > 1 ? 's' : ''}: ${listKeys(keys)}`);
  }
}

/** Keys that the layout requires but the checkpoint lacks (unknown ones are listed too:
 * together they usually reveal a renamed module). */
export class MissingKeyError extends ConvertError {
  override name = 'MissingKeyError';
  constructor(readonly keys: string[], layout: string, readonly unknown: string[] = []) {
    super(
      `missing ${layout} key${keys.length > 1 ? 's' : ''}: ${listKeys(keys)}` +
        (unknown.length > 0 ? `; unknown keys present: ${listKeys(unknown)}` : ''),
    );
  }
}

export class ShapeMismatchError extends ConvertError {
  override name = 'ShapeMismatchError';
  constructor(readonly key: string, readonly actual: readonly number[], expected: string) {
    super(`${key} has shape [${actual.join(', ')}], expected ${expected}`);
  }
}

/** A model weight that is not a floating-point tensor, or a dtype the converter cannot convert. */
export class DtypeError extends ConvertError {
  override name = 'DtypeError';
}

/** The architecture cannot be read from the weights (e.g. attention heads); says which flag helps. */
export class ArchInferenceError extends ConvertError {
  override name = 'ArchInferenceError';
}

function listKeys(keys: string[]): string {
  const shown = keys.slice(0, 8).join(', ');
  return keys.length > 8 ? `${shown} (and ${keys.length - 8} more)` : shown;
}
