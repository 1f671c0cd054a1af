import * as tf from '@tensorflow/tfjs';
import { field, neuronJsonSchema, normalizeNeuronOptions, showShape, type LayerSpecBase, type NeuronKinds, type Registered } from '@spikeflow/spec';
import { defineLayer } from '../layer-plugin.js';
import { neuronStep } from '../neuron-step.js';
import { compileLayerNeuron, NEURON_FIELDS, neuronDetail, type NeuronCommonSpec } from './neuron.js';

interface RecurrentCommon extends LayerSpecBase, NeuronCommonSpec {
  kind: 'recurrent';
  /**
   * How the spikes of step t-1 reach the input of step t:
   * - 'dense' (SpikingJelly's LinearRecurrentContainer): i[t] = [x[t], s[t-1]] W + b, W learned [2F, F];
   * - 'elementwise': i[t] = x[t] + w * s[t-1], w learned per neuron.
   */
  connection?: 'dense' | 'elementwise';
  /** Dense connection: add a learned bias. */
  useBias?: boolean;
}
export type RecurrentLayerSpec = Registered<NeuronKinds, RecurrentCommon, 'neuron'>;

/**
 * Spiking neurons whose own spikes at t-1 feed back into their input at t through a learned
 * connection; s[-1] = 0. The one layer kind that steps through time (the others run over all T):
 * the input's part of the connection runs once over all T (time folded into the batch); only the
 * feedback steps through time, each step a neuron step whose gradient is the neuron's own backward
 * pass, so BPTT through the loop is exact.
 */
export const recurrent = defineLayer({
  kind: 'recurrent',
  description: 'spiking neurons fed back their own spikes of the step before through a learned connection',
  fields: {
    ...NEURON_FIELDS,
    connection: field.enum({ values: ['dense', 'elementwise'], default: 'dense', description: "'dense': i[t] = [x[t], s[t-1]] W + b (SpikingJelly's LinearRecurrentContainer); 'elementwise': i[t] = x[t] + w * s[t-1]" }),
    useBias: field.boolean({ default: true, description: 'dense connection: add a learned bias' }),
  },
  outputShape([input], l) {
    if (l.connection === 'dense' && input.length !== 1) return { problem: `a dense recurrent connection expects a flat input [features], but the input here is ${showShape(input)}: add { "kind": "flatten" } before it, or use connection "elementwise"` };
    return input;
  },
  normalize: normalizeNeuronOptions,
  jsonSchema: neuronJsonSchema,
  stateless: false,
  build(c) {
    const compiled = compileLayerNeuron(c);
    const step = neuronStep(compiled);
    const params = compiled.paramNames.map((p, i) => c.variable(p, tf.scalar(compiled.paramInit[i])));
    const features = c.inputShape.reduce((a, b) => a * b, 1);
    const dense = c.spec.connection === 'dense';
    // Dense: PyTorch's Linear(2F -> F) initialisation; rows [0, F) read x[t], rows [F, 2F) s[t-1].
    const bound = 1 / Math.sqrt(2 * features);
    const weights = dense
      ? [c.variable('kernel', c.uniform([2 * features, features], bound)), ...(c.spec.useBias ? [c.variable('bias', c.uniform([features], bound))] : [])]
      : [c.variable('recurrentWeight', c.uniform([features], bound))];
    return {
      // The neuron's parameters first, as on a neuron layer (neuronParameters reads them by index).
      variables: [...params, ...weights],
      neuron: compiled,
      emitsSpikes: true,
      apply: (x, ctx) => {
        const M = ctx.N * features;
        const p = params.map((v) => v.variable as tf.Tensor);
        let drive = x.reshape([ctx.T * ctx.N, features]);
        let feedback: (s: tf.Tensor2D) => tf.Tensor2D;
        if (dense) {
          const [kernel, bias] = weights.map((w) => w.variable as tf.Tensor2D);
          const fromInput = tf.slice(kernel, [0, 0], [features, features]);
          const fromSpikes = tf.slice(kernel, [features, 0], [features, features]);
          drive = tf.matMul(drive as tf.Tensor2D, fromInput);
          if (bias) drive = tf.add(drive, bias);
          feedback = (s) => tf.matMul(s, fromSpikes);
        } else {
          const w = weights[0].variable;
          feedback = (s) => tf.mul(s, w);
        }
        const perStep = tf.unstack(drive.reshape([ctx.T, ctx.N, features]));
        let state = compiled.ir.init.map((v) => tf.fill([M], v) as tf.Tensor1D);
        let spikes = tf.zeros([ctx.N, features]) as tf.Tensor2D;
        const out: tf.Tensor[] = [];
        const vs: tf.Tensor[] = [];
        for (let t = 0; t < ctx.T; t++) {
          const input = t === 0 ? perStep[t] : tf.add(perStep[t], feedback(spikes));
          const [s, ...next] = tf.unstack(step(input.reshape([M]) as tf.Tensor1D, state, p));
          state = next as tf.Tensor1D[];
          spikes = s.reshape([ctx.N, features]);
          out.push(spikes);
          vs.push(next[0]);
        }
        const y = tf.stack(out).reshape(x.shape);
        if (ctx.record.has(c.name)) {
          const shape = [ctx.T, ctx.N, ...c.inputShape];
          ctx.records.set(c.name, { spikes: y.reshape(shape), v: tf.stack(vs).reshape(shape) });
        }
        return y;
      },
    };
  },
  summary: (l, registry) => `${neuronDetail(l, registry)}, ${String(l.connection)} feedback`,
  weights: ([input], _out, l) => {
    const f = input.reduce((a, b) => a * b, 1);
    return l.connection === 'dense' ? 2 * f * f + (l.useBias ? f : 0) : f;
  },
  nir: {
    /*
     * As snnTorch writes RLeaky and RSynaptic, flat: the neuron node `name` fed back its own spikes
     * through `name.w_rec` (Linear; Scale for the element-wise connection), NIR's cycle carrying them
     * to the next step. A dense connection's input rows and bias go before it, in `name.w_in`.
     */
    export(c) {
      const [x] = c.inputs;
      const F = x.shape.reduce((a, b) => a * b, 1);
      const back = `${c.name}.w_rec`;
      const { node } = c.neuron({ ...c.layer, kind: 'neuron' }, x.shape);
      if (c.layer.connection === 'elementwise') {
        c.node(c.name, node);
        c.connect(c.name);
        c.node(back, { type: 'Scale', scale: c.layout.perNeuron(c.weight('recurrentWeight').data, x.shape) });
      } else {
        const kernel = c.weight('kernel');
        const block = (k: number) => ({ shape: [F, F], data: kernel.data.slice(k * F * F, (k + 1) * F * F) });
        const bias = c.optionalWeight('bias');
        const input = `${c.name}.w_in`;
        const weight = c.layout.dense(block(0), x.flatFrom);
        c.node(input, bias ? { type: 'Affine', weight, bias: { shape: [F], data: bias.data } } : { type: 'Linear', weight });
        c.connect(input);
        c.node(c.name, node);
        c.edge(input, c.name);
        c.node(back, { type: 'Linear', weight: c.layout.dense(block(1), null) });
      }
      c.edge(c.name, back);
      c.edge(back, c.name);
      return { spikes: true };
    },
  },
});

declare module '@spikeflow/spec' {
  interface LayerKinds {
    recurrent: RecurrentLayerSpec;
  }
}
