/**
 * Every kernel variant the ops can dispatch, gathered explicitly (the browser bundle has no
 * import.meta.glob). A new op module adds its *_VARIANTS array here; compile-all.test.ts
 * compiles the list.
 */
import type { KernelVariantSpec } from './common.js';
import { CONV_VARIANTS } from './conv.js';
import { ELEMENTWISE_VARIANTS } from './elementwise.js';
import { EMBEDDING_VARIANTS } from './embedding.js';
import { PATCH_VARIANTS } from './patch.js';

export const ALL_VARIANTS: KernelVariantSpec[] = [...ELEMENTWISE_VARIANTS, ...CONV_VARIANTS, ...EMBEDDING_VARIANTS, ...PATCH_VARIANTS];
