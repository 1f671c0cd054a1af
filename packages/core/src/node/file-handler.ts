import { createHash } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CheckpointError } from '../errors.js';
import { checkpointFilePath, declaredWeightBytes, MAX_JSON_BYTES, readCheckpointFile } from './checkpoint-file.js';
import { MANIFEST_FILE, manifestDigest, readManifestText, type CheckpointManifest, type ManifestSummary } from './manifest.js';

/** The tf.io model file of checkpoints written before manifests existed. */
const LEGACY_MODEL = 'model.json';
/** Files a save owns: anything else in the folder is left alone. */
const OWNED = /^(weights-[0-9a-f]+\.bin|model-[0-9a-f]+\.json|model\.json)$/;
const TEMP = /\.tmp-\d+-\d+$/;

type ModelFile = tf.io.ModelArtifacts & { weightsManifest?: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }> };

/**
 * A tf.io handler that stores a checkpoint in a directory: weights-<hash>.bin, model-<hash>.json
 * (spec, weight specs, metadata) and manifest.json (sha256 and size of each file, epoch, step, best
 * score, metrics line count). Saving writes the content-named files first and manifest.json last,
 * each as temp file + fsync + rename: the rename of manifest.json is the single commit point, so a
 * kill at any instant leaves the previous checkpoint or the new one, complete. Leftovers of killed
 * saves (temp files, unreferenced files) are removed by the next save. Loading verifies every file
 * against the manifest and names the one that does not match.
 */
export function fileHandler(directory: string): tf.io.IOHandler {
  const dir = resolve(directory);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error(`file handler (${dir}): binary model topologies are not supported`);
      await mkdir(dir, { recursive: true });
      await removeFiles(dir, (f) => TEMP.test(f));
      const weights = artifacts.weightData ? new Uint8Array(tf.io.concatenateArrayBuffers(artifacts.weightData as ArrayBuffer | ArrayBuffer[])) : new Uint8Array();
      const weightsFile = `weights-${sha256(weights).slice(0, 16)}.bin`;
      const { weightData: _data, weightSpecs, ...rest } = artifacts;
      const model = Buffer.from(JSON.stringify({ ...rest, weightsManifest: [{ paths: [weightsFile], weights: weightSpecs ?? [] }] }));
      const modelFile = `model-${sha256(model).slice(0, 16)}.json`;
      const body: Omit<CheckpointManifest, 'sha256'> = {
        format: 'spikeflow.manifest/v1',
        model: modelFile,
        files: {
          [modelFile]: { sha256: sha256(model), bytes: model.length },
          [weightsFile]: { sha256: sha256(weights), bytes: weights.length },
        },
        ...summaryOf(artifacts),
      };
      const manifest: CheckpointManifest = { ...body, sha256: manifestDigest(body) };
      // manifest.json last: its rename is the commit point.
      await writeAll(dir, [
        [weightsFile, weights],
        [modelFile, model],
        [MANIFEST_FILE, Buffer.from(JSON.stringify(manifest))],
      ]);
      await syncDirectory(dir);
      await removeFiles(dir, (f) => TEMP.test(f) || (OWNED.test(f) && !(f in manifest.files)));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const manifestPath = join(dir, MANIFEST_FILE);
      const manifestText = await readCheckpointFile(manifestPath, MAX_JSON_BYTES, 'the most a manifest may hold is');
      if (manifestText === undefined) return loadLegacy(dir);
      const manifest = readManifestText(manifestText.toString('utf8'), manifestPath);
      // Every name is checked before any file is read.
      const listed = Object.entries(manifest.files).map(([name, expected]) => {
        const path = checkpointFilePath(dir, name, manifestPath);
        if (typeof expected !== 'object' || expected === null || !Number.isSafeInteger(expected.bytes) || expected.bytes < 0 || typeof expected.sha256 !== 'string') {
          throw new CheckpointError(`checkpoint file ${manifestPath} is damaged: its entry for ${name} is not { sha256, bytes }`, manifestPath);
        }
        return { name, path, expected };
      });
      const files = new Map<string, Buffer>();
      for (const { name, path, expected } of listed) {
        const bytes = await readCheckpointFile(path, expected.bytes, `${MANIFEST_FILE} records`);
        if (bytes === undefined) throw new CheckpointError(`checkpoint file ${path} is missing (listed in ${MANIFEST_FILE})`, path);
        const actual = sha256(bytes);
        if (bytes.length !== expected.bytes || actual !== expected.sha256) {
          throw new CheckpointError(
            `checkpoint file ${path} is damaged: ${bytes.length} bytes with sha256 ${actual.slice(0, 16)}…, ${MANIFEST_FILE} records ${expected.bytes} bytes with sha256 ${expected.sha256.slice(0, 16)}…`,
            path,
          );
        }
        files.set(name, bytes);
      }
      const modelBytes = files.get(manifest.model);
      if (!modelBytes) throw new CheckpointError(`${manifestPath} names the model file ${manifest.model} but does not list its digest`, manifestPath);
      return artifactsFrom(dir, manifest.model, parseModelFile(modelBytes, join(dir, manifest.model)), (p) => files.get(p));
    },
  };
}

/** The training summary a manifest repeats from the checkpoint's metadata (for resume without loading tensors). */
function summaryOf(artifacts: tf.io.ModelArtifacts): ManifestSummary {
  const meta = (artifacts.userDefinedMetadata as { spikeflow?: Partial<ManifestSummary> } | undefined)?.spikeflow ?? {};
  const out: ManifestSummary = {};
  if (typeof meta.epoch === 'number') out.epoch = meta.epoch;
  if (typeof meta.step === 'number') out.step = meta.step;
  if (meta.bestScore !== undefined) out.bestScore = meta.bestScore;
  if (typeof meta.metricsLines === 'number') out.metricsLines = meta.metricsLines;
  return out;
}

function artifactsFrom(dir: string, modelName: string, model: ModelFile, bytesOf: (path: string) => Buffer | undefined): tf.io.ModelArtifacts {
  const entry = weightsEntry(model, join(dir, modelName));
  const modelPath = join(dir, modelName);
  const buffers = entry.paths.map((p) => {
    const b = bytesOf(p);
    if (!b) throw new CheckpointError(`checkpoint ${modelPath} refers to ${p}, which its manifest does not list`, join(dir, p));
    return b;
  });
  const bytes = Buffer.concat(buffers);
  const expected = declaredWeightBytes(entry.weights, modelPath);
  if (bytes.length !== expected) {
    throw new CheckpointError(`checkpoint ${join(dir, entry.paths[0])}: ${bytes.length} bytes of weights, ${modelName} describes ${expected}`, join(dir, entry.paths[0]));
  }
  const { weightsManifest: _m, ...rest } = model;
  return { ...rest, weightSpecs: entry.weights, weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) };
}

function parseModelFile(bytes: Buffer, modelPath: string): ModelFile {
  try {
    const model = JSON.parse(bytes.toString('utf8')) as unknown;
    if (typeof model === 'object' && model !== null && !Array.isArray(model)) return model as ModelFile;
  } catch (e) {
    throw new CheckpointError(`checkpoint file ${modelPath} is damaged: not valid JSON (${(e as Error).message})`, modelPath, { cause: e });
  }
  throw new CheckpointError(`checkpoint file ${modelPath} is damaged: not a JSON object`, modelPath);
}

/** The model file's one weights group: its file names (strings) and weight list. */
function weightsEntry(model: ModelFile, modelPath: string): { paths: string[]; weights: tf.io.WeightsManifestEntry[] } {
  const entry = Array.isArray(model.weightsManifest) ? model.weightsManifest[0] : undefined;
  if (!entry) throw new CheckpointError(`checkpoint ${modelPath} has no weightsManifest`, modelPath);
  if (!Array.isArray(entry.paths) || !Array.isArray(entry.weights)) {
    throw new CheckpointError(`checkpoint file ${modelPath} is damaged: its weightsManifest does not list { paths, weights }`, modelPath);
  }
  return entry;
}

/** A checkpoint from before manifests: model.json + weights-<hash>.bin, checked against the hash in its name. */
async function loadLegacy(dir: string): Promise<tf.io.ModelArtifacts> {
  const modelPath = join(dir, LEGACY_MODEL);
  const text = await readCheckpointFile(modelPath, MAX_JSON_BYTES, 'the most a model file may hold is');
  if (text === undefined) {
    throw new CheckpointError(`${dir} holds no checkpoint: neither ${MANIFEST_FILE} nor ${LEGACY_MODEL} is there (is it a run folder? checkpoints are its last/ and best/ folders)`, join(dir, MANIFEST_FILE));
  }
  const model = parseModelFile(text, modelPath);
  const entry = weightsEntry(model, modelPath);
  // Names checked before any read; reads bounded by the bytes the weight list declares.
  const paths = entry.paths.map((p) => ({ name: p, path: checkpointFilePath(dir, p, modelPath) }));
  let left = declaredWeightBytes(entry.weights, modelPath);
  const files = new Map<string, Buffer>();
  for (const { name, path } of paths) {
    const bytes = await readCheckpointFile(path, left, `the weights ${LEGACY_MODEL} describes take`);
    if (bytes === undefined) throw new CheckpointError(`checkpoint file ${path} is missing (listed in ${LEGACY_MODEL})`, path);
    left -= bytes.length;
    const named = /^weights-([0-9a-f]+)\.bin$/.exec(name)?.[1];
    if (named && !sha256(bytes).startsWith(named)) throw new CheckpointError(`checkpoint file ${path} is damaged: its sha256 does not start with the ${named} in its name`, path);
    files.set(name, bytes);
  }
  return artifactsFrom(dir, LEGACY_MODEL, model, (p) => files.get(p));
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function removeFiles(dir: string, which: (name: string) => boolean): Promise<void> {
  for (const f of await readdir(dir)) if (which(f)) await rm(join(dir, f), { force: true });
}

/**
 * Writes the files of a save in order. When one fails (e.g. the disk is full), those already written
 * that the current manifest does not list are removed again: they would only take space, and the
 * checkpoint stays the previous one, complete.
 */
async function writeAll(dir: string, files: Array<[string, Uint8Array]>): Promise<void> {
  const written: string[] = [];
  try {
    for (const [name, data] of files) {
      await writeAtomic(join(dir, name), data);
      written.push(name);
    }
  } catch (e) {
    const text = await readCheckpointFile(join(dir, MANIFEST_FILE), MAX_JSON_BYTES, 'the previous manifest').catch(() => undefined);
    let listed: Record<string, unknown>;
    try {
      listed = text ? ((JSON.parse(text.toString('utf8')) as CheckpointManifest).files ?? {}) : {};
    } catch {
      listed = {}; // a damaged manifest lists nothing we could keep
    }
    for (const name of written) if (!(name in listed)) await rm(join(dir, name), { force: true }).catch(() => undefined);
    throw e;
  }
}

/**
 * Writes a file so that readers see the old content or the new, never a part: temp + fsync + rename.
 * A failed write (a full disk, a read-only mount) removes its temp file and names the file it was
 * writing; the file's previous content is untouched.
 */
async function writeAtomic(path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    throw new CheckpointError(`cannot write checkpoint file ${path} (${data.length} bytes): ${code ? `${code}: ` : ''}${describeWriteError(e)}`, path, { cause: e });
  }
}

/** The reason of a failed write in words (Node's messages omit the file for a failed write()). */
function describeWriteError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return 'no space left on the device';
  if (code === 'EDQUOT') return 'disk quota exceeded';
  if (code === 'EROFS') return 'read-only file system';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (e as Error).message;
}

/** Makes the renames durable (not only kill-safe but power-loss-safe) where the platform allows. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Some platforms (Windows) cannot open a directory; the rename is still atomic there.
  }
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
