import { createHash } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';

const MANIFEST = 'model.json';

/**
 * A tf.io handler that stores a model in a directory: model.json + weights-<hash>.bin.
 * Saving is atomic: the weights go to a new file, then model.json is replaced by rename (the commit
 * point), then old weight files are removed. A crash at any moment leaves the last good checkpoint.
 */
export function fileHandler(directory: string): tf.io.IOHandler {
  const dir = resolve(directory);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error(`file handler (${dir}): binary model topologies are not supported`);
      await mkdir(dir, { recursive: true });
      const data = artifacts.weightData ? new Uint8Array(tf.io.concatenateArrayBuffers(artifacts.weightData as ArrayBuffer | ArrayBuffer[])) : new Uint8Array();
      const weightsFile = `weights-${createHash('sha256').update(data).digest('hex').slice(0, 16)}.bin`;
      await writeAtomic(join(dir, weightsFile), data);
      const { weightData: _data, weightSpecs, ...rest } = artifacts;
      const manifest = { ...rest, weightsManifest: [{ paths: [weightsFile], weights: weightSpecs ?? [] }] };
      await writeAtomic(join(dir, MANIFEST), Buffer.from(JSON.stringify(manifest)));
      for (const f of await readdir(dir)) {
        if (/^weights-[0-9a-f]+\.bin$/.test(f) && f !== weightsFile) await rm(join(dir, f), { force: true });
      }
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const manifestPath = join(dir, MANIFEST);
      let manifest: { weightsManifest?: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }> } & tf.io.ModelArtifacts;
      try {
        manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
      } catch (e) {
        throw new Error(`cannot read checkpoint ${manifestPath}: ${(e as Error).message}`, { cause: e });
      }
      const entry = manifest.weightsManifest?.[0];
      if (!entry) throw new Error(`checkpoint ${manifestPath} has no weightsManifest`);
      const buffers = await Promise.all(entry.paths.map((p) => readFile(join(dir, p))));
      const bytes = Buffer.concat(buffers);
      const expected = entry.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
      if (bytes.length !== expected) {
        throw new Error(`checkpoint ${join(dir, entry.paths[0])}: ${bytes.length} bytes of weights, the manifest describes ${expected}`);
      }
      const { weightsManifest: _m, ...rest } = manifest;
      return { ...rest, weightSpecs: entry.weights, weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) };
    },
  };
}

/** Writes a file so that readers see the old content or the new, never a part: temp + fsync + rename. */
async function writeAtomic(path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

let registered = false;
/** Lets tf.io (and saveCheckpoint/loadCheckpoint) use file://DIR URLs. Called on import of '@spikeflow/core/node'. */
export function registerFileRouter(): void {
  if (registered) return;
  registered = true;
  const router = (url: string | string[]) => {
    const u = Array.isArray(url) ? url[0] : url;
    return typeof u === 'string' && u.startsWith('file://') ? fileHandler(u.slice('file://'.length)) : (null as unknown as tf.io.IOHandler);
  };
  tf.io.registerSaveRouter(router);
  tf.io.registerLoadRouter(router);
}
