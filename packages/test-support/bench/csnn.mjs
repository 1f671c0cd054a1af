// The training benchmark's networks: the PLIF CSNN (spikeflow spec) and its "ANN floor" (the same
// layers with ReLU instead of neurons, the same static prefix and T folded into the batch after it),
// written with plain tf ops.
import * as tf from '@tensorflow/tfjs';
import { build, Trainer } from '@spikeflow/core';
import { batchNormTrain } from '@spikeflow/core/backend';

export const IMAGE = 28;
export const CLASSES = 10;
export const LEARNING_RATE = 0.1;
export const MOMENTUM = 0.9;

const plif = { kind: 'neuron', neuron: 'plif', initTau: 2, vThreshold: 1, vReset: 0, detachReset: true, surrogate: { kind: 'atan', alpha: 2 } };

/** {Conv3x3(1->32)-BN-PLIF-MaxPool2}x2 -> Dense(1568->512) -> PLIF -> Dense(512->10) -> PLIF. */
export const csnnSpec = (T) => ({
  input: { shape: [IMAGE, IMAGE, 1] },
  timeSteps: T,
  layers: [
    { kind: 'conv2d', filters: 32, kernelSize: 3, padding: 'same', useBias: false },
    { kind: 'batchNorm' },
    plif,
    { kind: 'pool', pool: 'max', size: 2 },
    { kind: 'conv2d', filters: 32, kernelSize: 3, padding: 'same', useBias: false },
    { kind: 'batchNorm' },
    plif,
    { kind: 'pool', pool: 'max', size: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: 512, useBias: false },
    plif,
    { kind: 'dense', units: CLASSES, useBias: false },
    plif,
  ],
});

/** A step function for the SNN: MSE on the firing rate, SGD with momentum. Returns the loss tensor. */
export function snnTrainer(T, seed = 1) {
  const net = build(csnnSpec(T), { seed });
  const trainer = new Trainer(net, { optimizer: { kind: 'sgd', learningRate: LEARNING_RATE, momentum: MOMENTUM }, loss: 'mse' });
  return {
    step(x, labels) {
      const { loss, rate } = trainer.trainStep(x, labels);
      rate.dispose();
      return loss;
    },
    dispose() {
      net.dispose();
      trainer.optimizer.dispose();
    },
  };
}

/** Training batch norm as the SNN runs it: core's op (the backend's fused kernels where it has them). */
function batchNorm(x, gamma, beta) {
  return batchNormTrain(x, gamma, beta, 1e-5).y;
}

/** The ANN floor: the same convolutions, norms, pools and dense layers, ReLU instead of PLIF. */
export function annTrainer(T, seed = 1) {
  const v = (shape, fanIn) => tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed++));
  const p = {
    w1: v([3, 3, 1, 32], 9), g1: tf.variable(tf.ones([32])), b1: tf.variable(tf.zeros([32])),
    w2: v([3, 3, 32, 32], 288), g2: tf.variable(tf.ones([32])), b2: tf.variable(tf.zeros([32])),
    w3: v([1568, 512], 1568), w4: v([512, CLASSES], 512),
  };
  const opt = tf.train.momentum(LEARNING_RATE, MOMENTUM);
  const convNorm = (x, w, g, b) => batchNorm(tf.conv2d(x, w, 1, 'same'), g, b);
  const pooledRelu = (x) => tf.maxPool(tf.relu(x), 2, 2, 'valid');
  return {
    step(x, labels) {
      return opt.minimize(() => {
        const N = x.shape[0];
        // As the SNN runs it: the first conv and norm once per image (their input is the same at
        // every step), repeated T times, then T folded into the batch for every later layer.
        const c1 = tf.tile(convNorm(x, p.w1, p.g1, p.b1), [T, 1, 1, 1]);
        const h = pooledRelu(convNorm(pooledRelu(c1), p.w2, p.g2, p.b2)).reshape([T * N, -1]);
        const out = tf.relu(tf.matMul(tf.relu(tf.matMul(h, p.w3)), p.w4));
        const rate = tf.mean(out.reshape([T, N, CLASSES]), 0);
        return tf.losses.meanSquaredError(tf.oneHot(labels, CLASSES), rate);
      }, true);
    },
    dispose() {
      tf.dispose(Object.values(p));
      opt.dispose();
    },
  };
}

/** A fixed random batch: images in [0, 1) and int32 labels. */
export function randomBatch(batch, seed = 7) {
  return {
    x: tf.randomUniform([batch, IMAGE, IMAGE, 1], 0, 1, 'float32', seed),
    labels: tf.cast(tf.randomUniform([batch], 0, CLASSES, 'float32', seed + 1), 'int32'),
  };
}
