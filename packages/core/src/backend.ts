// The contract every spikeflow backend package implements (one provider object per package), and
// the one way backends register kernels. Core names no backend: packages bring their providers.
import * as tf from '@tensorflow/tfjs';
import { neuronKernelFactory, registerNeuronKernel, type NeuronKernelFactory } from './neuron-op.js';

/** The kernel name under which a backend registers its multi-step neuron op. */
export const NEURON_KERNEL = 'SpikeflowNeuron';

/** A spikeflow kernel config: the neuron op for one tfjs backend, shaped like tfjs's KernelConfig. */
export interface NeuronKernelConfig {
  kernelName: typeof NEURON_KERNEL;
  backendName: string;
  /** Builds the fused op for a neuron, or returns undefined to run the reference op. */
  neuronOp: NeuronKernelFactory;
}

/**
 * What layers may rely on about a kernel's results, beyond what tfjs promises. A backend declares
 * them on the kernel config it registers; tfjs keeps that config object, so the traits go with the
 * kernel and leave when another kernel replaces it.
 */
export interface KernelTraits {
  /**
   * MaxPoolGrad: over non-overlapping windows without padding, each window's gradient goes to its
   * FIRST maximum in row-major order (as PyTorch, and so SpikingJelly, do). Max pooling on spikes,
   * where windows hold ties, then runs tfjs's own op instead of a portable fallback.
   */
  firstMaxPoolGrad?: boolean;
  /**
   * MaxPoolGrad: takes `input` and `output` as bool (both) as well as float32, with the same result
   * as on their 0/1 values in float32. Max pooling of spikes kept as bool then gives them to it as
   * they are, without float32 copies in its backward pass.
   */
  boolMaxPoolGradInputs?: boolean;
}

/** A tfjs kernel config, with the traits its backend declares for it. */
export type TraitedKernelConfig = tf.KernelConfig & { traits?: KernelTraits };

/** One config object per kernel, the way tfjs registers kernels: a tfjs kernel or spikeflow's neuron op. */
export type BackendKernelConfig = TraitedKernelConfig | NeuronKernelConfig;

/** The traits declared by the kernel registered now for (kernelName, backendName); {} when none. */
export function kernelTraits(kernelName: string, backendName: string): KernelTraits {
  return (tf.getKernel(kernelName, backendName) as TraitedKernelConfig | undefined)?.traits ?? {};
}

const sameTraits = (a: TraitedKernelConfig, b: TraitedKernelConfig): boolean => JSON.stringify(a.traits ?? {}) === JSON.stringify(b.traits ?? {});

const isNeuronKernel = (k: BackendKernelConfig): k is NeuronKernelConfig => k.kernelName === NEURON_KERNEL;

export interface RegisterKernelsOptions {
  /**
   * Replace a kernel another config registered for the same name and backend (tfjs's own, or an
   * earlier spikeflow one). Without it, registerKernels throws rather than swap a kernel silently.
   */
  replace?: boolean;
}

/**
 * Registers kernel configs. Registering a kernel function that is already registered does nothing
 * (setup() may run twice). A different kernel for the same name and backend is an error unless
 * `{ replace: true }`: then the original's setup and dispose functions are kept (tfjs runs them
 * only for kernels registered when the backend starts, and fallbacks may call what they bind).
 * Returns the registered names.
 */
export function registerKernels(configs: readonly BackendKernelConfig[], options: RegisterKernelsOptions = {}): string[] {
  const refuse = (config: BackendKernelConfig) =>
    new Error(
      `registerKernels: a ${config.kernelName} kernel is already registered for backend '${config.backendName}'; ` +
        'pass { replace: true } to replace it',
    );
  for (const config of configs) {
    if (isNeuronKernel(config)) {
      const existing = neuronKernelFactory(config.backendName);
      if (existing && existing !== config.neuronOp && !options.replace) throw refuse(config);
      registerNeuronKernel(config.backendName, config.neuronOp);
      continue;
    }
    const original = tf.getKernel(config.kernelName, config.backendName);
    // Registered copies keep the kernel function: the same function is the same kernel, and giving
    // it other traits declares something about it without replacing it.
    const sameKernel = original?.kernelFunc === config.kernelFunc;
    if (sameKernel && sameTraits(original as TraitedKernelConfig, config)) continue;
    if (original && !sameKernel && !options.replace) throw refuse(config);
    if (original) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel({ ...config, setupFunc: config.setupFunc ?? original?.setupFunc, disposeFunc: config.disposeFunc ?? original?.disposeFunc });
  }
  return configs.map((c) => c.kernelName);
}

/** What a backend is and can do, known without starting it. */
export interface BackendCapabilities {
  /** The tfjs backend it runs on (tf.getBackend() after setup). */
  tfjsBackend: string;
  /** Where it runs, as a user would look for it ("Node on Linux x64 with CUDA 11.2", "browsers with WebGPU"). */
  runsWhere: string;
  /** Runtimes it can start in. */
  runtimes: ReadonlyArray<'node' | 'browser'>;
  /** Whether networks train on it (gradients of every layer kind exist). */
  training: boolean;
  /** Whether it can use more than one thread. */
  threads: boolean;
}

/** What setup() reports: the same shape for every backend. */
export interface BackendReport {
  /** The provider's name (what `--backend` takes). */
  backend: string;
  /** The tfjs backend now active (or ready, with setBackend: false). */
  tfjsBackend: string;
  /** The device or adapter it runs on, in words. */
  device: string;
  /** Threads it computes with (1 for a GPU's host side or a single-threaded backend). */
  threads: number;
  /** 'software' when a GPU API is emulated on the CPU (lavapipe, SwiftShader, WARP); else 'hardware'. */
  execution: 'hardware' | 'software';
  /** spikeflow's kernels registered for it (e.g. SpikeflowNeuron, MaxPoolGrad, Conv2DBackpropFilter). */
  fusedKernels: string[];
  /** Provider-specific facts (the WebGPU adapter fields, the TensorFlow library version...). */
  detail?: Record<string, unknown>;
}

/** The options every setup() accepts; providers add their own. */
export interface BackendSetupOptions {
  /** Make its tfjs backend the current one (default true). */
  setBackend?: boolean;
  /** Threads to use where the backend can (default: the provider's choice). */
  threads?: number;
}

/**
 * One way a provider can run, as `auto` ranks it. A provider may offer several (WebGPU on a hardware
 * or on a software adapter; TensorFlow with CUDA or on the CPU), each with its own preference.
 */
export interface BackendCandidate {
  /** Shown in auto's report, e.g. "webgpu (hardware adapter)". */
  label: string;
  /**
   * Higher runs first. spikeflow's own: hardware WebGPU 60, TensorFlow with CUDA 50, TensorFlow on
   * the CPU 40, wasm with threads 30, wasm on one thread 25, software WebGPU 20, plain JavaScript 10.
   */
  preference: number;
  /** Whether it can run here; when false, `reason` says why and what would make it run. */
  available: boolean;
  reason?: string;
  /** Options that make setup() start this candidate. */
  options?: BackendSetupOptions & Record<string, unknown>;
}

/** The contract: one object per backend package, the way each vercel/ai provider implements one spec. */
export interface BackendProvider<Options extends BackendSetupOptions = BackendSetupOptions> {
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  /** Every kernel this backend registers, one config object each. */
  readonly kernels: () => readonly BackendKernelConfig[];
  /** Finds out, without making it the current backend, in which ways it can run here. */
  probe(): Promise<BackendCandidate[]>;
  /** Registers its kernels, starts its tfjs backend and reports what runs. Throws saying what to install. */
  setup(options?: Options): Promise<BackendReport>;
}

const providers = new Map<string, BackendProvider<any>>();

/** Makes a provider known to `auto` and to selection by name (a backend package does it on import). */
export function registerBackendProvider(provider: BackendProvider<any>): void {
  providers.set(provider.name, provider);
}

/** The providers registered so far, in registration order. */
export function registeredBackendProviders(): BackendProvider<any>[] {
  return [...providers.values()];
}
