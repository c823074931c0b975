/**
 * Fetched weight files kept in the browser's Cache API, so that a page's second load reads them
 * from disk instead of the network. A cached copy is used only while it is still the server's
 * file: a HEAD request (headers, no body) compares the ETag, or without one the size and
 * Last-Modified, and a difference replaces the stale entry. When the HEAD request fails
 * (offline), the cached copy is used.
 */

export interface WeightCacheOptions {
  /** Cache API cache name (default DEFAULT_WEIGHT_CACHE). */
  name?: string;
  /** Ask the server (HEAD) whether a cached file changed before using it (default true); false trusts the cache. */
  revalidate?: boolean;
}

export const DEFAULT_WEIGHT_CACHE = 'ba-webgpu-weights';

/** The Cache API exists (browsers and workers in secure contexts, localhost included). */
export function weightCacheAvailable(): boolean {
  return typeof caches !== 'undefined';
}

/** The cache to use, or undefined when caching is off or unavailable (then loads go to the network). */
export async function openWeightCache(options: WeightCacheOptions | false | undefined): Promise<Cache | undefined> {
  if (options === false || !weightCacheAvailable()) return undefined;
  try {
    return await caches.open(options?.name ?? DEFAULT_WEIGHT_CACHE);
  } catch {
    // Storage can be refused (private modes, quota, opaque origins): load without a cache.
    return undefined;
  }
}

/** The server's current headers describe the same file as the cached response's. */
export function sameFile(cached: Response, current: Response): boolean {
  const header = (r: Response, name: string) => r.headers.get(name);
  const etag = header(current, 'etag');
  if (etag && header(cached, 'etag')) return etag === header(cached, 'etag');
  return header(current, 'content-length') === header(cached, 'content-length')
    && header(current, 'last-modified') === header(cached, 'last-modified');
}
