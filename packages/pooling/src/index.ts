import { avgPool } from './avg.js';
import { maxPool } from './max.js';

export { maxPool, avgPool };
export { firstMaxPool, declareFirstMaxPoolGrad } from './max.js';
/** The built-in pooling kinds: register with `use(pools)` from @spikeflow/core. */
export const pools = [maxPool, avgPool] as const;

declare module '@spikeflow/spec' {
  interface PoolKinds {
    max: Record<never, never>;
    avg: Record<never, never>;
  }
}
