import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { CompiledNeuron, NeuronOp } from '@spikeflow/core';
import { generateNeuronShaders, WORKGROUP_SIZE, type NeuronShaders } from './neuron-shaders.js';
import { NeuronProgram, numGroups, runNeuronProgram } from './programs.js';

type Variadic = (...args: tf.Tensor[]) => tf.Tensor;

/** A fused kernel's WGSL does not compile: names the neuron, the kernel and the WGSL line. */
export class NeuronShaderError extends Error {}

/**
 * The fused multi-step neuron op: one forward dispatch over all T, and in the backward pass one
 * dispatch that recomputes the state tape and runs BPTT over all T, with dL/dparam reduced per
 * workgroup on the GPU. Only x and the parameters are kept for the backward pass.
 */
export function makeFusedNeuronOp(n: CompiledNeuron): NeuronOp {
  const shaders = generateNeuronShaders(n);
  const P = shaders.numParams;
  const S = shaders.numStates;
  const cache = new Map<boolean, Variadic>();
  // Compile errors surface asynchronously in WebGPU: checked once, reported at the next call.
  let failure: Error | undefined;
  checkNeuronShaders(n, shaders).catch((e: Error) => (failure = e));
  const inputs = (x: tf.Tensor, packed: tf.Tensor | undefined) => (packed ? [x, packed] : [x]);

  const forward = (x: tf.Tensor2D, packed: tf.Tensor | undefined, withV: boolean): tf.Tensor => {
    const [T, M] = x.shape;
    const program = new NeuronProgram('neuron_fwd', withV ? shaders.forward.withV : shaders.forward.spikes, P ? ['X', 'P'] : ['X'], withV ? [1 + S, T, M] : [T, M], M);
    return runNeuronProgram(program, inputs(x, packed), T, M);
  };

  const backward = (dy: tf.Tensor, x: tf.Tensor2D, packed: tf.Tensor | undefined, withV: boolean): tf.Tensor[] => {
    const [T, M] = x.shape;
    const G = numGroups(M);
    const program = new NeuronProgram('neuron_bwd', withV ? shaders.backward.withV : shaders.backward.spikes, P ? ['X', 'DY', 'P'] : ['X', 'DY'], [S * T * M + G * P], M);
    const out = runNeuronProgram(program, packed ? [x, dy, packed] : [x, dy], T, M);
    return tf.tidy(() => {
      const gX = tf.reshape(tf.slice(out, 0, T * M), [T, M]);
      if (P === 0) return [gX];
      // Per-workgroup partial sums [G, P] -> one scalar per parameter, still on the GPU.
      const sums = tf.sum(tf.reshape(tf.slice(out, S * T * M, G * P), [G, P]), 0);
      return [gX, ...(P === 1 ? [tf.reshape(sums, [])] : tf.unstack(sums).map((s) => tf.reshape(s, [])))];
    });
  };

  return (x, params, withV) => {
    if (failure) throw failure;
    let f = cache.get(withV);
    if (!f) {
      f = tf.customGrad((...args: any[]) => {
        const save = args.pop() as tf.GradSaveFunc;
        const [xIn, ...ps] = (args as tf.Tensor[]).map((t) => (t.dtype === 'float32' ? t : tf.cast(t, 'float32')));
        const packed = P ? tf.stack(ps.map((p) => tf.reshape(p, []))) : undefined;
        save(packed ? [xIn, packed] : [xIn]);
        return {
          value: forward(xIn as tf.Tensor2D, packed, withV),
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => backward(dy, saved[0] as tf.Tensor2D, saved[1], withV),
        };
      }) as unknown as Variadic;
      cache.set(withV, f);
    }
    return f(x, ...params);
  };
}

/** The WGSL tfjs wraps around a kernel body, enough to compile it alone (binding order as tfjs's). */
function standalone(body: string, buffers: string[]): { code: string; firstLine: number } {
  const head = [
    'struct Uniforms { numNeurons : i32, numSteps : i32, numGroups : i32, };',
    '@group(0) @binding(0) var<storage, read_write> result : array<f32>;',
    ...buffers.map((b, i) => `@group(0) @binding(${i + 1}) var<storage, read> ${b} : array<f32>;`),
    `@group(0) @binding(${buffers.length + 1}) var<uniform> uniforms : Uniforms;`,
    'var<private> localIndex : u32;',
  ];
  const tail = [
    `@compute @workgroup_size(${WORKGROUP_SIZE}, 1, 1)`,
    'fn _start(@builtin(local_invocation_index) li : u32, @builtin(global_invocation_id) gid : vec3<u32>) { localIndex = li; main(i32(gid.x)); }',
  ];
  return { code: [...head, body, ...tail].join('\n'), firstLine: head.length + 1 };
}

/**
 * Compiles the neuron's fused kernels on the current WebGPU device and rejects with a
 * NeuronShaderError naming the neuron, the kernel and the WGSL line when one does not compile.
 */
export async function checkNeuronShaders(n: CompiledNeuron, shaders: NeuronShaders = generateNeuronShaders(n)): Promise<void> {
  const device = (tf.backend() as unknown as WebGPUBackend).device;
  const P = shaders.numParams;
  const kernels: Array<[string, string, string[]]> = [
    ['forward', shaders.forward.withV, P ? ['X', 'P'] : ['X']],
    ['backward', shaders.backward.withV, P ? ['X', 'DY', 'P'] : ['X', 'DY']],
  ];
  for (const [name, body, buffers] of kernels) {
    const { code, firstLine } = standalone(body, buffers);
    const module = device.createShaderModule({ code, label: `spikeflow ${n.kind} ${name}` });
    const info = await module.getCompilationInfo();
    const error = info.messages.find((m) => m.type === 'error');
    if (!error) continue;
    const lines = body.split('\n');
    const line = error.lineNum - firstLine + 1;
    const text = lines[line - 1]?.trim() ?? '';
    throw new NeuronShaderError(`neuron "${n.kind}": its fused ${name} kernel's WGSL does not compile, line ${line}: ${text}\n  ${error.message}`);
  }
}
