// TensorFlow's native library as a spikeflow provider: tfjs's 'tensorflow' backend from
// @tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node (CPU), whichever is installed.
import * as tf from '@tensorflow/tfjs';
import { type BackendCandidate, type BackendProvider, type BackendReport, type BackendSetupOptions } from '@spikeflow/core';
import { NEURON_KERNEL, registerKernels, type BackendKernelConfig } from '@spikeflow/core/backend';
import { CPU_PACKAGE, cudaUnavailable, GPU_PACKAGE, LIBTENSORFLOW, loadPackage, NodeBackendError, resolvePackage, type TfjsNodePackage } from './load.js';
import { tensorflowNeuronOp } from './tensorflow-neuron-op.js';

/** tfjs's name for the backend both packages register. */
export const TENSORFLOW_BACKEND = 'tensorflow';

export interface NodeGpuSetupOptions extends BackendSetupOptions {
  /** Which package to use (default: tfjs-node-gpu if installed, else tfjs-node). */
  package?: TfjsNodePackage;
  /** Require a GPU: fail when TensorFlow finds no usable CUDA device (default: only when package is tfjs-node-gpu). */
  requireGpu?: boolean;
  /** A folder whose node_modules hold the package (default: resolved from this package). */
  resolveFrom?: string;
}

/** The neuron op for 'tensorflow'. Max pooling keeps @spikeflow/pooling's portable first-maximum backward there. */
export const tensorflowNeuronKernelConfig: BackendKernelConfig = { kernelName: NEURON_KERNEL, backendName: TENSORFLOW_BACKEND, neuronOp: tensorflowNeuronOp };

const kernels = (): BackendKernelConfig[] => [tensorflowNeuronKernelConfig];

interface NodeBackendLike {
  isUsingGpuDevice?: boolean;
  binding?: { TF_Version?: string };
}

/** Loads the package and starts its backend (without making it current); reports whether it found a GPU. */
async function start(pkg: TfjsNodePackage, from?: string): Promise<NodeBackendLike> {
  await loadPackage(pkg, from);
  const backend = tf.findBackend(TENSORFLOW_BACKEND) as unknown as NodeBackendLike | null;
  if (!backend) throw new NodeBackendError('load-failed', pkg, `@spikeflow/backend-node-gpu: ${pkg} loaded but tfjs has no '${TENSORFLOW_BACKEND}' backend (two copies of @tensorflow/tfjs? run npm dedupe)`);
  return backend;
}

/** Which package setup() would use: the one asked for, else the GPU one if installed, else the CPU one. */
function choosePackage(options: NodeGpuSetupOptions): TfjsNodePackage {
  if (options.package) return options.package;
  return resolvePackage(GPU_PACKAGE, options.resolveFrom) instanceof NodeBackendError ? CPU_PACKAGE : GPU_PACKAGE;
}

async function setup(options: NodeGpuSetupOptions = {}): Promise<BackendReport> {
  const pkg = choosePackage(options);
  const backend = await start(pkg, options.resolveFrom);
  const gpu = backend.isUsingGpuDevice === true;
  if (!gpu && (options.requireGpu ?? options.package === GPU_PACKAGE)) {
    throw cudaUnavailable('TensorFlow started without a GPU device (see the "Could not load dynamic library" lines it printed above)');
  }
  const fusedKernels = registerKernels(kernels());
  if (options.setBackend !== false) {
    if (!(await tf.setBackend(TENSORFLOW_BACKEND))) throw new NodeBackendError('load-failed', pkg, `@spikeflow/backend-node-gpu: tfjs could not start the '${TENSORFLOW_BACKEND}' backend of ${pkg}`);
    await tf.ready();
  }
  const os = await import('node:os');
  return {
    backend: 'node-gpu',
    tfjsBackend: TENSORFLOW_BACKEND,
    device: gpu ? `NVIDIA GPU through CUDA (${pkg})` : `CPU through TensorFlow's native library (${pkg})`,
    threads: gpu ? 1 : (os.availableParallelism?.() ?? os.cpus().length),
    execution: 'hardware',
    fusedKernels,
    detail: { package: pkg, gpu, tensorflow: backend.binding?.TF_Version ?? LIBTENSORFLOW.version },
  };
}

/** The first sentence of an error: what went wrong, without the advice. */
const firstSentence = (e: unknown): string => (e as Error).message.split('. ')[0].replace(/^@spikeflow\/backend-node-gpu: /, '');

/** How TensorFlow can run here: on a CUDA GPU, on the CPU, each with why not. */
async function probe(from?: string): Promise<BackendCandidate[]> {
  const gpuCandidate: BackendCandidate = { label: `${GPU_PACKAGE} (CUDA)`, preference: 50, available: false, options: { package: GPU_PACKAGE, requireGpu: true } };
  const cpuCandidate: BackendCandidate = { label: `${CPU_PACKAGE} (TensorFlow on the CPU)`, preference: 40, available: false, options: { package: CPU_PACKAGE } };
  let gpuLoaded = false;
  try {
    const backend = await start(GPU_PACKAGE, from);
    gpuLoaded = true;
    gpuCandidate.available = backend.isUsingGpuDevice === true;
    if (!gpuCandidate.available) gpuCandidate.reason = firstSentence(cudaUnavailable('TensorFlow started without a GPU device'));
  } catch (e) {
    gpuCandidate.reason = firstSentence(e);
  }
  if (gpuLoaded) {
    // Both packages register 'tensorflow': with the GPU package loaded, it is also the CPU candidate.
    Object.assign(cpuCandidate, { label: `${GPU_PACKAGE} (TensorFlow on the CPU)`, available: !gpuCandidate.available, options: { package: GPU_PACKAGE, requireGpu: false } });
    if (gpuCandidate.available) cpuCandidate.reason = 'the GPU candidate of the same package runs instead';
    return [gpuCandidate, cpuCandidate];
  }
  try {
    await start(CPU_PACKAGE, from);
    cpuCandidate.available = true;
  } catch (e) {
    cpuCandidate.reason = firstSentence(e);
  }
  return [gpuCandidate, cpuCandidate];
}

/** The provider; `resolveFrom` makes one that looks for the packages in another folder (tests, apps that vendor them). */
export function makeProvider(resolveFrom?: string): BackendProvider<NodeGpuSetupOptions> {
  return {
    name: 'node-gpu',
    capabilities: {
      tfjsBackend: TENSORFLOW_BACKEND,
      runsWhere: `Node with ${GPU_PACKAGE} (Linux x64, NVIDIA GPU, CUDA ${LIBTENSORFLOW.cuda}, cuDNN ${LIBTENSORFLOW.cudnn}) or ${CPU_PACKAGE} (Linux x64, macOS, Windows x64), installed on a machine that could download libtensorflow ${LIBTENSORFLOW.version}`,
      runtimes: ['node'],
      training: true,
      threads: true,
    },
    kernels,
    probe: () => probe(resolveFrom),
    setup: (options = {}) => setup({ resolveFrom, ...options }),
  };
}

export const provider = makeProvider();
