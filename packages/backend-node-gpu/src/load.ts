// Loads @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node and turns each way it can fail into an
// error that says what to install, and which other spikeflow backend runs instead.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export type TfjsNodePackage = '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node';
export const GPU_PACKAGE: TfjsNodePackage = '@tensorflow/tfjs-node-gpu';
export const CPU_PACKAGE: TfjsNodePackage = '@tensorflow/tfjs-node';

/** The libtensorflow that tfjs-node(-gpu) 4.x downloads, and the CUDA and cuDNN it was built with. */
export const LIBTENSORFLOW = { version: '2.9.1', cuda: '11.2', cudnn: '8.1' } as const;

export type NodeBackendFailure = 'package-missing' | 'binding-missing' | 'cuda-unavailable' | 'load-failed';

/** Why tfjs-node(-gpu) could not run, with what to do about it in the message. */
export class NodeBackendError extends Error {
  constructor(
    readonly failure: NodeBackendFailure,
    readonly pkg: TfjsNodePackage,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NodeBackendError';
  }
}

const INSTEAD =
  'Instead: @spikeflow/backend-webgpu reaches an NVIDIA (or any) GPU through Dawn over Vulkan (npm install @spikeflow/backend-webgpu webgpu), ' +
  'and @spikeflow/backend-wasm trains on the CPU with threads without any native library.';

const platformNote = (pkg: TfjsNodePackage): string =>
  pkg === GPU_PACKAGE
    ? `${pkg} runs on Linux x64 with an NVIDIA GPU, CUDA ${LIBTENSORFLOW.cuda} and cuDNN ${LIBTENSORFLOW.cudnn}`
    : `${pkg} runs on Linux x64, macOS and Windows x64`;

export function packageMissing(pkg: TfjsNodePackage, detail: string): NodeBackendError {
  return new NodeBackendError(
    'package-missing',
    pkg,
    `@spikeflow/backend-node-gpu: ${pkg} is not installed (${detail}). Install it with \`npm install ${pkg}@4.22.0\`; ` +
      `its install script downloads libtensorflow ${LIBTENSORFLOW.version} from storage.googleapis.com, so the machine needs internet access during install. ` +
      `${platformNote(pkg)}. ${INSTEAD}`,
  );
}

export function bindingMissing(pkg: TfjsNodePackage, detail: string, cause: unknown): NodeBackendError {
  return new NodeBackendError(
    'binding-missing',
    pkg,
    `@spikeflow/backend-node-gpu: ${pkg} is installed but its native binding (tfjs_binding.node with libtensorflow ${LIBTENSORFLOW.version}) is missing: ` +
      `its install script was skipped (--ignore-scripts) or could not download libtensorflow. ` +
      `Run \`npm rebuild ${pkg}\` on a machine that reaches storage.googleapis.com (or set TFJS_NODE_CDN_STORAGE to a mirror). ` +
      `${INSTEAD}\n  ${detail.split('\n')[0]}`,
    { cause },
  );
}

export function cudaUnavailable(detail: string, cause?: unknown): NodeBackendError {
  return new NodeBackendError(
    'cuda-unavailable',
    GPU_PACKAGE,
    `@spikeflow/backend-node-gpu: ${GPU_PACKAGE} needs CUDA ${LIBTENSORFLOW.cuda} and cuDNN ${LIBTENSORFLOW.cudnn} (libtensorflow ${LIBTENSORFLOW.version}), which could not be loaded: ${detail}. ` +
      `Install them (libcudart.so.11.0, libcudnn.so.8 on LD_LIBRARY_PATH) with a driver for your GPU, or use ${CPU_PACKAGE} for TensorFlow on the CPU. ${INSTEAD}`,
    { cause },
  );
}

const CUDA_LIBRARY = /libcud(art|nn|blas|fft|rand|solver|sparse)|libnvinfer|cuda|cudnn/i;

/** Sorts a load error of the package into one of the failures above. */
export function classifyLoadError(pkg: TfjsNodePackage, e: unknown): NodeBackendError {
  const err = e as NodeJS.ErrnoException;
  const message = String(err?.message ?? e);
  if (message.includes('tfjs_binding.node') || /libtensorflow[^ ]*\.(so|dylib|dll)/.test(message)) return bindingMissing(pkg, message, e);
  if (pkg === GPU_PACKAGE && CUDA_LIBRARY.test(message)) return cudaUnavailable(message.split('\n')[0], e);
  if ((err?.code === 'MODULE_NOT_FOUND' || err?.code === 'ERR_MODULE_NOT_FOUND') && message.includes(pkg)) return packageMissing(pkg, message.split('\n')[0]);
  return new NodeBackendError('load-failed', pkg, `@spikeflow/backend-node-gpu: ${pkg} failed to load: ${message.split('\n')[0]}. ${INSTEAD}`, { cause: e });
}

/**
 * Where the package would load from, or a package-missing error. `from` is a folder whose
 * node_modules to search (default: this package's own resolution).
 */
export function resolvePackage(pkg: TfjsNodePackage, from?: string): string | NodeBackendError {
  const require = createRequire(from ? join(from, 'noop.js') : import.meta.url);
  try {
    return require.resolve(pkg);
  } catch {
    return packageMissing(pkg, `not found from ${from ?? 'the folder of @spikeflow/backend-node-gpu'}`);
  }
}

const loaded = new Map<string, Promise<unknown>>();

/**
 * Imports the package once per process (importing it registers tfjs's 'tensorflow' backend and
 * its kernels). Throws a NodeBackendError.
 */
export async function loadPackage(pkg: TfjsNodePackage, from?: string): Promise<unknown> {
  const entry = resolvePackage(pkg, from);
  if (entry instanceof NodeBackendError) throw entry;
  let promise = loaded.get(entry);
  if (!promise) {
    promise = import(pathToFileURL(entry).href).catch((e: unknown) => {
      throw classifyLoadError(pkg, e);
    });
    loaded.set(entry, promise);
  }
  return promise;
}
