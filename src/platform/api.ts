/**
 * The platform layer: the few things that differ between Node and browsers. package.json's
 * "imports" maps `#platform` to node.ts for Node builds and tests and to browser.ts for browser
 * builds (the "browser" condition), so a browser bundle never sees a Node-only import.
 */

/** An adapter the engine found without `navigator.gpu` (Dawn in Node). */
export interface NativeAdapter {
  adapter: GPUAdapter;
  /** The Vulkan ICD file Dawn was pointed at, when the engine chose one. */
  icd?: string;
}

/**
 * Finds an adapter where the runtime has no `navigator.gpu`; `softwareIcds` are the software
 * Vulkan drivers to try, fastest first, when the system's drivers offer none.
 */
export type RequestNativeAdapter = (powerPreference: GPUPowerPreference | undefined, softwareIcds: readonly string[]) => Promise<NativeAdapter>;

/** A weight source string that names a file on disk; `stream` is absent when no file is there. */
export type LocalFile = { path: string; stream: ReadableStream<Uint8Array>; totalBytes: number } | { path: string; stream?: undefined };

/** The file a weight source string names, or undefined when it is a URL (in browsers every string is). */
export type OpenLocalFile = (source: string) => LocalFile | undefined;

// Both modules must export the same API (tsc resolves `#platform` to only one of them).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type PlatformModulesMatch = Assert<Same<typeof import('./node.js'), typeof import('./browser.js')>>;
