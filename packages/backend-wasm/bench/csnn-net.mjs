// The spiking version of the ANN-floor network: every ReLU becomes a LIF neuron (tau 2, threshold
// 1, hard reset, sigmoid surrogate gradient) run over T time steps, the way multi-step SNN
// libraries do it: stateless layers (conv, BN, pooling, dense) see all T*B samples at once, the
// neurons loop over T. Input: the static image repeated T times (direct encoding); output: the
// spike count of the last layer averaged over T. Same parameters as ann-floor-net.mjs.
import * as tf from '@tensorflow/tfjs';
import { CLASSES, createAnnFloorNet } from './ann-floor-net.mjs';

export const T = 4;
const TAU = 2;
const ALPHA = 4;

export const createCsnn = createAnnFloorNet;

/** Heaviside forward, derivative of sigmoid(ALPHA * x) backward. */
const spikeFn = tf.customGrad((x, save) => {
  save([x]);
  return {
    value: tf.step(x),
    gradFunc: (dy, [saved]) => {
      const s = tf.sigmoid(saved.mul(ALPHA));
      return dy.mul(s.mul(tf.scalar(1).sub(s)).mul(ALPHA));
    },
  };
});

/** LIF over T steps: x is [T*B, ...features], returns spikes of the same shape. */
function lif(x) {
  const b = x.shape[0] / T;
  const steps = tf.unstack(x.reshape([T, b, -1]));
  let v = tf.zerosLike(steps[0]);
  const spikes = [];
  for (const input of steps) {
    v = v.add(input.sub(v).div(TAU));
    const s = spikeFn(v.sub(1));
    spikes.push(s);
    v = v.mul(tf.scalar(1).sub(s));
  }
  return tf.stack(spikes).reshape(x.shape);
}

function batchNorm(x, gamma, beta) {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return x.sub(mean).mul(tf.rsqrt(variance.add(1e-5))).mul(gamma).add(beta);
}

function block(x, w, b, g, be) {
  const c = tf.conv2d(x, w, 1, 'same').add(b);
  return tf.maxPool(lif(batchNorm(c, g, be)), 2, 2, 'valid');
}

/** x: [B, 28, 28, 1] images -> [B, 10] firing rates of the output layer. */
export function forwardCsnn(p, x) {
  const [b] = x.shape;
  const xs = tf.tile(x, [T, 1, 1, 1]); // time-major: sample t*B + i is image i at step t
  const h1 = block(xs, p.w1, p.b1, p.g1, p.be1);
  const h2 = block(h1, p.w2, p.b2, p.g2, p.be2);
  const h3 = lif(tf.matMul(h2.reshape([T * b, -1]), p.w3).add(p.b3));
  const out = lif(tf.matMul(h3, p.w4).add(p.b4));
  return out.reshape([T, b, CLASSES]).mean(0);
}

export function csnnLoss(p, x, labels) {
  return tf.losses.meanSquaredError(tf.oneHot(labels, CLASSES), forwardCsnn(p, x));
}
