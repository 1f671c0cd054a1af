// Node-only shims that let tfjs-backend-wasm's threaded build start its pthread workers (see
// threads.ts). All are undone once the backend is up, except the copy of the worker class that
// Emscripten keeps for itself (it only treats workers running our temporary scripts specially).
// Default imports: the CJS exports objects, which (unlike ESM namespaces) can be patched and are
// the same objects the CJS tfjs-backend-wasm bundle gets from require().
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import workerThreads, { type Worker as NodeWorker } from 'node:worker_threads';

/** Globals the bundled main module expects (rollup renamed its requires). */
const PRELUDE = "var require$$0=require('fs'),require$$1=require('path'),require$$3=require('perf_hooks')," +
  "require$$4=require('os'),commonjsGlobal=globalThis;\n";

/** Cores this process may use. */
export function availableCores(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

export function installNodeShims(threads: number): () => void {
  const dir: string = fs.mkdtempSync(path.join(os.tmpdir(), 'spikeflow-wasm-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

  // Record the text of script blobs as they are made, and give each a file on first use.
  const texts = new WeakMap<Blob, string>();
  const files = new WeakMap<Blob, string>();
  let count = 0;
  const fileFor = (blob: Blob): string => {
    let file = files.get(blob);
    if (file == null) {
      file = path.join(dir, `script-${count++}.cjs`);
      fs.writeFileSync(file, PRELUDE + (texts.get(blob) ?? ''));
      files.set(blob, file);
    }
    return file!;
  };
  const OriginalBlob = globalThis.Blob;
  class RecordingBlob extends OriginalBlob {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      if (parts?.every((p) => typeof p === 'string')) texts.set(this, parts.join(''));
    }
  }
  const originalCreateObjectURL = URL.createObjectURL;
  URL.createObjectURL = (obj: Blob | MediaSource) =>
    texts.has(obj as Blob) ? fileFor(obj as Blob) : originalCreateObjectURL(obj);

  // The main module reaches workers as a blob in their 'load' message; send its file path.
  // Emscripten copies worker_threads.Worker into the global Worker when the module starts, so the
  // subclass only needs to be exported while the backend starts.
  const OriginalWorker: typeof NodeWorker = workerThreads.Worker;
  const ours = (filename: unknown): boolean => typeof filename === 'string' && filename.startsWith(dir);
  class FileWorker extends OriginalWorker {
    private readonly pool: boolean;
    constructor(...args: ConstructorParameters<typeof NodeWorker>) {
      super(...args);
      // Pool workers only run while the main thread blocks in a kernel, so they must not keep the
      // process alive (Emscripten re-refs them when it starts a thread).
      this.pool = ours(args[0]);
      if (this.pool) super.unref();
    }
    override ref(): void {
      if (!this.pool) super.ref();
    }
    override postMessage(message: any, transfer?: any): void {
      if (message?.cmd === 'load' && texts.has(message.urlOrBlob)) {
        message = { ...message, urlOrBlob: fileFor(message.urlOrBlob) };
      }
      super.postMessage(message, transfer);
    }
  }
  const exportsObject = workerThreads as { Worker: typeof NodeWorker };
  exportsObject.Worker = FileWorker;

  // tfjs-backend-wasm caps the pool at (logical cores / 2), assuming two hyperthreads per core,
  // so on a 2-vCPU machine it would run one thread whatever was asked. Report enough cores.
  const originalCpus = os.cpus;
  os.cpus = () => {
    const cpus = originalCpus();
    while (cpus.length < 2 * threads && cpus.length > 0) cpus.push(cpus[0]);
    return cpus;
  };

  globalThis.Blob = RecordingBlob;
  return () => {
    globalThis.Blob = OriginalBlob;
    URL.createObjectURL = originalCreateObjectURL;
    os.cpus = originalCpus;
    exportsObject.Worker = OriginalWorker;
  };
}
