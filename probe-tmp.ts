import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { build, use, Trainer, StepError } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
use(neurons, surrogates, pools);
await tf.setBackend('cpu');
const spec = { input: { shape: [4, 4, 1] }, timeSteps: 2, layers: [{ kind: 'flatten' }, { kind: 'dropout', rate: 0.5 }, { kind: 'dense', units: 10 }, { kind: 'neuron', neuron: 'plif' }] };
const x = tf.randomUniform([3, 4, 4, 1], 0, 1, 'float32', 1);
for (const lab of [[10, 0, 1], [-1, 0, 1], [2.7, 0, 1], [NaN, 0, 1], [9, 0, 1]]) {
  const net = build(spec);
  const tr = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 1e-3 } });
  const y = tf.tensor1d(lab, 'float32');
  const r = tr.trainStep(x, y);
  tf.dispose([r.loss, r.rate, y]);
  try { await tr.verify(); console.log('labels', lab, 'ok'); } catch (e) { console.log('labels', lab, (e as Error).message); }
  try { await tr.trainStepChecked(x, tf.tensor1d(lab)); console.log('checked ok'); } catch (e) { console.log('checked:', (e as Error).message); }
}
const net = build(spec);
const tr = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 1e-3 } });
tf.dispose(Object.values(tr.trainStep(x, tf.tensor1d([1, 2, 3]))));
const before = tf.memory().numTensors;
const y2 = tf.tensor1d([1, 2], 'int32');
for (let i = 0; i < 3; i++) { try { tr.trainStep(x, y2); } catch (e) { if (i === 0) console.log('err', (e as Error).message); } }
console.log('leak per failing call', (tf.memory().numTensors - before - 1) / 3);
const b2 = tf.memory().numTensors;
const y3 = tf.tensor1d([1, 2, 3]);
for (let i = 0; i < 5; i++) tf.dispose(Object.values(tr.trainStep(x, y3)));
console.log('growth over 5 steps', tf.memory().numTensors - b2 - 1);
const buf = await x.data(); const xbad = tf.tensor(Float32Array.from(buf, (v, i) => (i === 0 ? NaN : v)), x.shape);
tf.dispose(Object.values(tr.trainStep(xbad, tf.tensor1d([1, 2, 3], 'int32'))));
try { await tr.verify(); } catch (e) { console.log('NaN pixel:', (e as Error).message, e instanceof StepError); }
const tr2 = new Trainer(build(spec), { optimizer: { kind: 'adam', learningRate: 1e-3 } });
const r = await tr2.trainStepChecked(xbad, y3, { skipInvalid: true }); console.log('skipped', r.skipped, tr2.step, tr2.skippedSteps);
const tr3 = new Trainer(build(spec), { optimizer: { kind: 'sgd', learningRate: 1e308 } });
for (let i = 0; i < 3; i++) tf.dispose(Object.values(tr3.trainStep(x, y3)));
try { await tr3.verify(); console.log('lr1e308 ok?') } catch (e) { console.log('lr 1e308:', (e as Error).message); }
const a = build(spec, { seed: 5 }), b = build(spec, { seed: 5 });
const o1 = await a.forward(x, { training: true }).output.data(); const o2 = await b.forward(x, { training: true }).output.data();
console.log('same-seed dropout forward equal:', o1.every((v, i) => v === o2[i]));
