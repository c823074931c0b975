/** Edits of safetensors files in memory, for tests that need broken or inconsistent weight files. */

export interface RawWeightFile {
  /** The parsed JSON header (tensor entries and __metadata__). */
  header: Record<string, unknown>;
  /** Everything after the header. */
  data: Uint8Array;
}

export function splitWeightFile(bytes: Uint8Array): RawWeightFile {
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  return { header, data: bytes.slice(8 + headerLength) };
}

/** `headerText` replaces the serialized header verbatim (for headers that are not JSON). */
export function joinWeightFile(file: RawWeightFile, headerText = JSON.stringify(file.header)): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const bytes = new Uint8Array(8 + json.length + file.data.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  bytes.set(file.data, 8 + json.length);
  return bytes;
}

/** The file with its ba_webgpu metadata (parsed) changed by `edit`. */
export function editMetadata(bytes: Uint8Array, edit: (metadata: Record<string, any>) => void): Uint8Array {
  const file = splitWeightFile(bytes);
  const raw = file.header.__metadata__ as Record<string, string>;
  const metadata = JSON.parse(raw.ba_webgpu) as Record<string, any>;
  edit(metadata);
  raw.ba_webgpu = JSON.stringify(metadata);
  return joinWeightFile(file);
}

/** The file without one tensor entry (its bytes stay, as padding). */
export function dropTensor(bytes: Uint8Array, name: string): Uint8Array {
  const file = splitWeightFile(bytes);
  delete file.header[name];
  return joinWeightFile(file);
}
