/**
 * The f16 kernel tests skip on adapters without shader-f16 (SwiftShader in the browser run).
 * In Node they must not: lavapipe 25, which the test setup installs and CI runs on, has
 * shader-f16, so an adapter without it means a broken setup (Debian's old Mesa, SwiftShader
 * picked instead) and every f16 path would go untested. BA_ALLOW_NO_F16=1 runs the suite on
 * such an adapter on purpose.
 */
import { describe, expect, it } from 'vitest';
import { testEngine } from '../helpers/engine.js';

describe('the Node test adapter', () => {
  it('has shader-f16, so the f16 kernel tests run instead of skipping (set BA_ALLOW_NO_F16=1 to run on an adapter without it)', async () => {
    const engine = await testEngine();
    const allowed = process.env.BA_ALLOW_NO_F16 === '1';
    expect(engine.has('shader-f16') || allowed, `no shader-f16 on ${engine.describe()}`).toBe(true);
  });
});
