import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { CheckpointError } from '../errors.js';
import { MAX_JSON_BYTES, readCheckpointFile } from './checkpoint-file.js';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'spikeflow.manifest/v1';

/** What a checkpoint's metadata says about the run when it was saved. */
export interface ManifestSummary {
  /** Epoch index of the checkpoint's last completed epoch (as CheckpointMeta.epoch). */
  epoch?: number;
  step?: number;
  /** Best score of the run so far (null: none yet). */
  bestScore?: number | null;
  /** Lines of the run's metrics log that belong to this checkpoint; a resume truncates to them. */
  metricsLines?: number;
}

/** manifest.json: written last, so its presence means the checkpoint is complete. */
export interface CheckpointManifest extends ManifestSummary {
  format: typeof MANIFEST_FORMAT;
  /** The tf.io model file (spec, weight specs, metadata); its weights file is listed beside it. */
  model: string;
  /** Every file of the checkpoint with its sha256 (hex) and size. */
  files: Record<string, { sha256: string; bytes: number }>;
  /** sha256 of this manifest's JSON text without this field, so a damaged manifest is found too. */
  sha256: string;
}

export function manifestDigest(body: Omit<CheckpointManifest, 'sha256'>): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/** Parses and verifies a manifest's text; `path` names it in errors. */
export function readManifestText(text: string, path: string): CheckpointManifest {
  let parsed: CheckpointManifest;
  try {
    parsed = JSON.parse(text) as CheckpointManifest;
  } catch (e) {
    throw new CheckpointError(`checkpoint file ${path} is damaged: not valid JSON (${(e as Error).message})`, path, { cause: e });
  }
  if (typeof parsed !== 'object' || parsed === null || parsed.format !== MANIFEST_FORMAT) {
    throw new CheckpointError(`checkpoint file ${path} is damaged or not a spikeflow manifest (expected format "${MANIFEST_FORMAT}")`, path);
  }
  const { sha256, ...body } = parsed;
  if (manifestDigest(body) !== sha256) throw new CheckpointError(`checkpoint file ${path} is damaged: its content does not match the sha256 it records`, path);
  if (typeof parsed.model !== 'string' || typeof parsed.files !== 'object' || parsed.files === null) {
    throw new CheckpointError(`checkpoint file ${path} lists no model file`, path);
  }
  return parsed;
}

/** Reads and verifies a checkpoint folder's manifest.json (without loading or checking the tensors). */
export async function readManifest(directory: string): Promise<CheckpointManifest> {
  const path = join(resolve(directory), MANIFEST_FILE);
  const bytes = await readCheckpointFile(path, MAX_JSON_BYTES, 'the most a manifest may hold is');
  if (bytes === undefined) throw new CheckpointError(`cannot read ${path}: it does not exist (a checkpoint folder holds ${MANIFEST_FILE})`, path);
  return readManifestText(bytes.toString('utf8'), path);
}
