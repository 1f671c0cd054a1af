import * as tf from '@tensorflow/tfjs';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type Info = tf.TensorInfo;

/**
 * Folds a tile to the fewest axes: an axis whose repetition is 1 merges into the axis before it
 * (the memory layout of the result is the same). [1, N, H, W, C] x [T, 1, 1, 1, 1] -> [N*H*W*C] x [T].
 */
export function foldTile(shape: number[], reps: number[]): { shape: number[]; reps: number[] } {
  const s: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (i > 0 && reps[i] === 1) s[s.length - 1] *= shape[i];
    else {
      s.push(shape[i]);
      r.push(reps[i]);
    }
  }
  return { shape: s, reps: r };
}

let patched = false;

/**
 * tfjs-backend-webgpu 4.22 runs Tile of rank >= 5 on the CPU through a synchronous read (and a GPU
 * round trip). spikeflow's direct encoder tiles [1, N, H, W, C] over T at every step, so fold such
 * tiles to a lower rank and run them on the GPU.
 */
export function patchWebGPUTile(): void {
  if (patched) return;
  const tile = tf.getKernel('Tile', 'webgpu');
  const reshape = tf.getKernel('Reshape', 'webgpu');
  if (!tile || !reshape) return;
  const original = tile.kernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const x = args.inputs.x as Info;
    const reps = (args.attrs as { reps: number[] }).reps;
    if (x.shape.length < 5 || x.dtype === 'string') return original(args);
    const folded = foldTile(x.shape, reps);
    if (folded.shape.length >= 5) return original(args);
    const backend = args.backend as tf.KernelBackend & { disposeData(id: object): boolean };
    const run = (f: KernelFunc, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) => f({ inputs, backend, attrs }) as Info;
    const flat = run(reshape.kernelFunc, { x }, { shape: folded.shape });
    const tiled = run(original, { x: flat }, { reps: folded.reps });
    const out = run(reshape.kernelFunc, { x: tiled }, { shape: x.shape.map((d, i) => d * reps[i]) });
    backend.disposeData(flat.dataId);
    backend.disposeData(tiled.dataId);
    return out;
  };
  tf.unregisterKernel('Tile', 'webgpu');
  tf.registerKernel({ ...tile, kernelFunc });
  patched = true;
}
