/**
 * Every kernel variant the ops can dispatch, gathered explicitly (the browser bundle has no
 * import.meta.glob). A new op module adds its *_VARIANTS array here; compile-all.test.ts
 * compiles the list.
 */
import { ATTENTION_VARIANTS } from './attention.js';
import type { KernelVariantSpec } from './common.js';
import { CONV_VARIANTS } from './conv.js';
import { COPY_VARIANTS } from './copy.js';
import { ELEMENTWISE_VARIANTS } from './elementwise.js';
import { EMBEDDING_VARIANTS } from './embedding.js';
import { FINITE_VARIANTS } from './finite.js';
import { FLASH_ATTENTION_VARIANTS } from './flash-attention.js';
import { GRAD_VARIANTS } from './grad.js';
import { GUIDANCE_VARIANTS } from './guidance.js';
import { GROUPNORM_VARIANTS } from './groupnorm.js';
import { IMAGE_VARIANTS } from './image.js';
import { MATMUL_VARIANTS } from './matmul.js';
import { NORM_VARIANTS } from './norm.js';
import { OPTIM_VARIANTS } from './optim.js';
import { PATCH_VARIANTS } from './patch.js';
import { QUADRATURE_VARIANTS } from './quadrature.js';
import { RESIDUAL_BLOCK_VARIANTS } from './residual-block.js';
import { ROLL_FORWARD_VARIANTS } from './roll-forward.js';
import { SOFTMAX_VARIANTS } from './softmax.js';
import { WIDEN_VARIANTS } from './widen.js';

export const ALL_VARIANTS: KernelVariantSpec[] = [
  ...ELEMENTWISE_VARIANTS,
  ...MATMUL_VARIANTS,
  ...ATTENTION_VARIANTS,
  ...FLASH_ATTENTION_VARIANTS,
  ...SOFTMAX_VARIANTS,
  ...NORM_VARIANTS,
  ...CONV_VARIANTS,
  ...RESIDUAL_BLOCK_VARIANTS,
  ...EMBEDDING_VARIANTS,
  ...PATCH_VARIANTS,
  ...COPY_VARIANTS,
  ...GUIDANCE_VARIANTS,
  ...QUADRATURE_VARIANTS,
  ...GRAD_VARIANTS,
  ...OPTIM_VARIANTS,
  ...GROUPNORM_VARIANTS,
  ...IMAGE_VARIANTS,
  ...FINITE_VARIANTS,
  ...ROLL_FORWARD_VARIANTS,
  ...WIDEN_VARIANTS,
];
