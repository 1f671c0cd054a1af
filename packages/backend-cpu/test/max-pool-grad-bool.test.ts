// tfjs-backend-cpu's MaxPoolGrad is declared to take bool input and output (spikes kept as bool):
// its result must be the float32 one bit for bit, which a change of tfjs-cpu could break.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelTraits } from '@spikeflow/core/backend';
import '../src/index.js';

const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

describe('MaxPoolGrad on cpu with bool spikes', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is declared to take them', () => {
    expect(kernelTraits('MaxPoolGrad', 'cpu')).toMatchObject({ firstMaxPoolGrad: true, boolMaxPoolGradInputs: true });
  });

  it.each([
    { shape: [4, 8, 8, 8], size: [2, 2], stride: [2, 2], pad: 'valid' },
    { shape: [2, 9, 7, 3], size: [2, 2], stride: [2, 2], pad: 'valid' },
    { shape: [2, 9, 9, 4], size: [3, 3], stride: [2, 2], pad: 'same' },
  ] as const)('gives the float32 result bit for bit: pool $size stride $stride $pad on $shape', (c) => {
    const [float, bool] = tf.tidy(() => {
      const x = tf.cast(tf.greater(tf.randomUniform([...c.shape], 0, 1, 'float32', 3), 0.6), 'float32');
      const y = tf.maxPool(x as tf.Tensor4D, [...c.size], [...c.stride], c.pad);
      const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 4);
      const attrs = { filterSize: c.size, strides: c.stride, pad: c.pad } as unknown as tf.NamedAttrMap;
      const run = (input: tf.Tensor, output: tf.Tensor) => (tf.engine().runKernel(tf.MaxPoolGrad, { dy, input, output }, attrs) as tf.Tensor).dataSync();
      return [run(x, y), run(tf.cast(x, 'bool'), tf.cast(y, 'bool'))];
    });
    expect(bits(bool)).toEqual(bits(float));
    expect(float.some((v) => v !== 0)).toBe(true);
  });
});
