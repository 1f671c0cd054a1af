import type * as tf from '@tensorflow/tfjs';
import { pair, poolKind } from '@spikeflow/spec';
import { defineLayer } from '../layer-plugin.js';
import type { PoolPlugin } from '../plugins.js';
import { saveSpikesAsBoolNow } from '../spike-storage.js';

const size = (s: unknown) => (Array.isArray(s) ? s.join('x') : `${String(s)}x${String(s)}`);

export const pool = defineLayer({
  ...poolKind,
  stateless: true,
  build(c) {
    const plugin = c.registry.pools.get(c.spec.pool as string) as PoolPlugin<any> | undefined;
    if (!plugin) throw new Error(`${c.name}: pool "${String(c.spec.pool)}" is not registered`);
    const window = { size: pair(c.spec.size), stride: pair(c.spec.stride), padding: c.spec.padding as 'same' | 'valid' };
    return {
      passesSpikes: plugin.preservesSpikes === true,
      apply: (x, ctx) => (ctx.spikingInput && plugin.applyToSpikes && saveSpikesAsBoolNow()
        ? plugin.applyToSpikes(x as tf.Tensor4D, window, c.spec)
        : plugin.apply(x as tf.Tensor4D, window, c.spec)),
    };
  },
  summary: (l) => `${String(l.pool)} ${size(l.size)}`,
});
