import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { releaseUpstreamGradient, type CompiledNeuron, type NeuronOp } from '@spikeflow/core/backend';
import { currentLimits, deviceLimits } from './limits.js';
import { planNeuronChunks } from './neuron-chunks.js';
import { generateNeuronShaders, type NeuronShaders } from './neuron-shaders.js';
import { NeuronProgram, numGroups, runNeuronProgram } from './programs.js';
import { neuronWorkgroupSize } from './workgroup.js';

type Variadic = (...args: tf.Tensor[]) => tf.Tensor;

/** A fused kernel's WGSL does not compile: names the neuron, the kernel and the WGSL line. */
export class NeuronShaderError extends Error {}

/**
 * The fused multi-step neuron op: one forward dispatch over all T, and in the backward pass one
 * dispatch that recomputes the state tape and runs BPTT over all T, with dL/dparam reduced per
 * workgroup on the GPU. Only x and the parameters are kept for the backward pass. The workgroup
 * size comes from the adapter's limits; where the buffers of one dispatch would exceed them, the
 * neurons run in several dispatches (runs along the neuron axis) instead of failing.
 */
export function makeFusedNeuronOp(n: CompiledNeuron): NeuronOp {
  const byWorkgroup = new Map<number, NeuronShaders>();
  const shadersFor = (workgroupSize: number) => {
    let s = byWorkgroup.get(workgroupSize);
    if (!s) byWorkgroup.set(workgroupSize, (s = generateNeuronShaders(n, workgroupSize)));
    return s;
  };
  const first = generateNeuronShaders(n);
  const P = first.numParams;
  const S = first.numStates;
  const cache = new Map<boolean, Variadic>();
  // Compile errors surface asynchronously in WebGPU: checked once, reported at the next call.
  let failure: Error | undefined;
  checkNeuronShaders(n, first).catch((e: Error) => (failure = e));
  const inputs = (x: tf.Tensor, packed: tf.Tensor | undefined) => (packed ? [x, packed] : [x]);

  /** Workgroup size and neuron runs for this call, from the adapter's limits. */
  const plan = (T: number, M: number, withV: boolean) => {
    const limits = currentLimits();
    const workgroupSize = neuronWorkgroupSize(limits, P);
    const chunks = planNeuronChunks({ T, M, S, P, withV, workgroupSize }, limits);
    if (chunks.length > 1) checkWholeFits(T, M, withV ? 1 + S : 1);
    return { shaders: shadersFor(workgroupSize), workgroupSize, chunks };
  };

  const forwardRun = (x: tf.Tensor2D, packed: tf.Tensor | undefined, withV: boolean, shaders: NeuronShaders): tf.Tensor => {
    const [T, M] = x.shape;
    const program = new NeuronProgram('neuron_fwd', withV ? shaders.forward.withV : shaders.forward.spikes, P ? ['X', 'P'] : ['X'], withV ? [1 + S, T, M] : [T, M], M, shaders.workgroupSize);
    return runNeuronProgram(program, inputs(x, packed), T, M);
  };

  /** dL/dx [T, M] and the parameters' gradient sums [P] (undefined without parameters). */
  const backwardRun = (dy: tf.Tensor, x: tf.Tensor2D, packed: tf.Tensor | undefined, withV: boolean, shaders: NeuronShaders): [tf.Tensor, tf.Tensor | undefined] => {
    const [T, M] = x.shape;
    const G = numGroups(M, shaders.workgroupSize);
    const program = new NeuronProgram('neuron_bwd', withV ? shaders.backward.withV : shaders.backward.spikes, P ? ['X', 'DY', 'P'] : ['X', 'DY'], [S * T * M + G * P], M, shaders.workgroupSize);
    const out = runNeuronProgram(program, packed ? [x, dy, packed] : [x, dy], T, M);
    return tf.tidy(() => {
      const gX = tf.reshape(tf.slice(out, 0, T * M), [T, M]);
      // Per-workgroup partial sums [G, P] -> one sum per parameter, still on the GPU.
      return [gX, P ? tf.sum(tf.reshape(tf.slice(out, S * T * M, G * P), [G, P]), 0) : undefined];
    });
  };

  const forward = (x: tf.Tensor2D, packed: tf.Tensor | undefined, withV: boolean): tf.Tensor => {
    const [T, M] = x.shape;
    const { shaders, chunks } = plan(T, M, withV);
    if (chunks.length === 1) return forwardRun(x, packed, withV, shaders);
    // Runs of neurons that each fit the adapter's limits, joined along the neuron axis.
    return tf.tidy(() => tf.concat(chunks.map((c) => forwardRun(tf.slice(x, [0, c.start], [T, c.size]), packed, withV, shaders)), withV ? 2 : 1));
  };

  const backward = (dy: tf.Tensor, x: tf.Tensor2D, packed: tf.Tensor | undefined, withV: boolean): tf.Tensor[] => {
    const [T, M] = x.shape;
    const { shaders, chunks } = plan(T, M, withV);
    return tf.tidy(() => {
      let gX: tf.Tensor;
      let sums: tf.Tensor | undefined;
      if (chunks.length === 1) [gX, sums] = backwardRun(dy, x, packed, withV, shaders);
      else {
        const parts = chunks.map((c) => backwardRun(
          withV ? tf.slice(dy, [0, 0, c.start], [1 + S, T, c.size]) : tf.slice(dy, [0, c.start], [T, c.size]),
          tf.slice(x, [0, c.start], [T, c.size]), packed, withV, shaders));
        gX = tf.concat(parts.map((p) => p[0]), 1);
        sums = P ? tf.addN(parts.map((p) => p[1]!)) : undefined;
      }
      if (!sums) return [gX];
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
        const value = forward(xIn as tf.Tensor2D, packed, withV);
        return {
          value,
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
            const grads = backward(dy, saved[0] as tf.Tensor2D, saved[1], withV);
            releaseUpstreamGradient(dy, value);
            return grads;
          },
        };
      }) as unknown as Variadic;
      cache.set(withV, f);
    }
    return f(x, ...params);
  };
}

/**
 * Chunked runs are sliced from x and joined into one result: both are whole tensors that tfjs binds
 * at once, so they must fit the device's own binding limit. Says so when they do not.
 */
function checkWholeFits(T: number, M: number, perStep: number): void {
  const limit = Math.min(deviceLimits().maxStorageBufferBindingSize, deviceLimits().maxBufferSize);
  const bytes = 4 * perStep * T * M;
  if (bytes > limit) {
    throw new Error(`fused neuron op: its ${perStep > 1 ? `[${perStep}, T, M]` : '[T, M]'} result (T=${T}, M=${M}, ${(bytes / 2 ** 20).toFixed(0)} MiB) exceeds this adapter's maxStorageBufferBindingSize (${(limit / 2 ** 20).toFixed(0)} MiB), so no WebGPU program can bind it whole; use a smaller batch or fewer time steps`);
  }
}

/** The WGSL tfjs wraps around a kernel body, enough to compile it alone (binding order as tfjs's). */
function standalone(body: string, buffers: string[], workgroupSize: number): { code: string; firstLine: number } {
  const head = [
    'struct Uniforms { numNeurons : i32, numSteps : i32, numGroups : i32, };',
    '@group(0) @binding(0) var<storage, read_write> result : array<f32>;',
    ...buffers.map((b, i) => `@group(0) @binding(${i + 1}) var<storage, read> ${b} : array<f32>;`),
    `@group(0) @binding(${buffers.length + 1}) var<uniform> uniforms : Uniforms;`,
    'var<private> localIndex : u32;',
  ];
  const tail = [
    `@compute @workgroup_size(${workgroupSize}, 1, 1)`,
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
    const { code, firstLine } = standalone(body, buffers, shaders.workgroupSize);
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
