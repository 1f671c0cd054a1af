// The "ANN floor" CSNN of the training benchmark, written with plain tf ops so that every kernel
// its forward and backward pass reaches goes through the active backend:
// {Conv3x3(1->32)-BN-ReLU-MaxPool2}x2 -> Dense(1568->512) -> ReLU -> Dense(512->10), MSE, SGD momentum.
import * as tf from '@tensorflow/tfjs';

export const IMAGE = 28;
export const CLASSES = 10;

/** Creates the network's variables (He-normal init, fixed seed so runs are comparable). */
export function createAnnFloorNet(seed = 1) {
  const v = (shape, fanIn, name) =>
    tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed++), true, name);
  const z = (shape, name) => tf.variable(tf.zeros(shape), true, name);
  const o = (shape, name) => tf.variable(tf.ones(shape), true, name);
  return {
    w1: v([3, 3, 1, 32], 9, 'w1'), b1: z([32], 'b1'), g1: o([32], 'g1'), be1: z([32], 'be1'),
    w2: v([3, 3, 32, 32], 288, 'w2'), b2: z([32], 'b2'), g2: o([32], 'g2'), be2: z([32], 'be2'),
    w3: v([7 * 7 * 32, 512], 1568, 'w3'), b3: z([512], 'b3'),
    w4: v([512, CLASSES], 512, 'w4'), b4: z([CLASSES], 'b4'),
  };
}

/** Training-mode batch norm over N, H, W (batch statistics, no running averages). */
function batchNorm(x, gamma, beta) {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return x.sub(mean).mul(tf.rsqrt(variance.add(1e-5))).mul(gamma).add(beta);
}

function block(x, w, b, g, be) {
  const c = tf.conv2d(x, w, 1, 'same').add(b);
  return tf.maxPool(tf.relu(batchNorm(c, g, be)), 2, 2, 'valid');
}

/** Forward pass: x [N,28,28,1] -> logits [N,10]. */
export function forward(p, x) {
  const h1 = block(x, p.w1, p.b1, p.g1, p.be1);
  const h2 = block(h1, p.w2, p.b2, p.g2, p.be2);
  const flat = h2.reshape([h2.shape[0], -1]);
  const h3 = tf.relu(tf.matMul(flat, p.w3).add(p.b3));
  return tf.matMul(h3, p.w4).add(p.b4);
}

/** MSE against one-hot labels. */
export function loss(p, x, labels) {
  return tf.losses.meanSquaredError(tf.oneHot(labels, CLASSES), forward(p, x));
}

/**
 * Returns a step function: one SGD-momentum update on (x, labels), returning the loss value.
 * lossFn(p, x, labels) defaults to this network's MSE loss.
 */
export function makeTrainer(p, lossFn = loss, lr = 0.01, momentum = 0.9) {
  const opt = tf.train.momentum(lr, momentum);
  const vars = Object.values(p);
  return {
    step(x, labels) {
      const l = opt.minimize(() => lossFn(p, x, labels), true, vars);
      const value = l.dataSync()[0];
      l.dispose();
      return value;
    },
    dispose() { opt.dispose(); },
  };
}

/** A deterministic random batch: n images and integer labels. */
export function randomBatch(n, seed = 7) {
  return tf.tidy(() => ({
    x: tf.randomUniform([n, IMAGE, IMAGE, 1], 0, 1, 'float32', seed),
    labels: tf.randomUniform([n], 0, CLASSES, 'int32', seed + 1),
  }));
}
