import * as tf from '@tensorflow/tfjs';
import { MODEL_FORMAT, type NormalizedModelSpec } from '@spikeflow/spec';
import { CheckpointError } from './errors.js';
import { build, type BuildOptions, type Network } from './network.js';
import { parseSpec } from './validate.js';
import type { Trainer } from './train.js';

export const CHECKPOINT_FORMAT = 'spikeflow.checkpoint/v1';

/** What a checkpoint holds besides the weights. */
export interface CheckpointMeta {
  format: typeof CHECKPOINT_FORMAT;
  step: number;
  epoch: number;
  /** The network's build seed: a resumed run draws the same dropout masks as an uninterrupted one. */
  seed?: number;
  /** Best score of the run when saved (e.g. test accuracy; null: none yet), so a resume keeps it. */
  bestScore?: number | null;
  /** Lines of the run's metrics log that this checkpoint accounts for; a resume truncates the log to them. */
  metricsLines?: number;
  /** PLIF-style layers: their parameters and derived values (e.g. { w, tau }) at save time. */
  neurons: Record<string, Record<string, number>>;
  /** Anything the caller wants back (metrics, CLI flags...). */
  extra?: Record<string, unknown>;
}

export interface SaveOptions {
  trainer?: Trainer;
  extra?: Record<string, unknown>;
  /** Recorded in the metadata and the manifest: see CheckpointMeta. */
  bestScore?: number | null;
  metricsLines?: number;
}

const OPTIMIZER_PREFIX = 'optimizer/';

/**
 * Saves spec + weights (+ optimizer state, step and epoch with a trainer) through a tf.io handler
 * or URL: 'indexeddb://name' or 'downloads://name' in the browser, 'file://dir' in Node after
 * importing '@spikeflow/core/node' (which writes atomically: a crash never leaves a half checkpoint).
 */
export async function saveCheckpoint(network: Network, destination: string | tf.io.IOHandler, options: SaveOptions = {}): Promise<tf.io.SaveResult> {
  const handler = resolveHandler(destination, 'save');
  const named: tf.NamedTensorMap = {};
  for (const v of network.namedVariables()) named[v.name] = v.variable;
  const idToName = new Map(network.namedVariables().map((v) => [v.variable.name, v.name]));
  const extraTensors: tf.Tensor[] = [];
  if (options.trainer) {
    // Optimizer slots are named after tfjs's variable names, which differ per process:
    // store them under the stable layer names instead.
    for (const { name, tensor } of await options.trainer.optimizer.getWeights()) {
      const slash = name.indexOf('/');
      const owner = slash >= 0 ? idToName.get(name.slice(0, slash)) : undefined;
      const stable = owner ? `${owner}${name.slice(slash)}` : name;
      named[OPTIMIZER_PREFIX + stable] = tensor;
      extraTensors.push(tensor);
    }
  }
  const { data, specs } = await tf.io.encodeWeights(named);
  // Never replace a good checkpoint with a diverged one.
  const bad = firstNonFinite(data, specs);
  if (bad) throw new CheckpointError(`saveCheckpoint: weight "${bad}" holds NaN or Infinity; the checkpoint was not written`, typeof destination === 'string' ? destination : 'the given handler');
  const meta: CheckpointMeta = {
    format: CHECKPOINT_FORMAT,
    step: options.trainer?.step ?? 0,
    epoch: options.trainer?.epoch ?? 0,
    seed: network.seed,
    neurons: await network.neuronParameters(),
    extra: options.extra,
  };
  if (options.bestScore !== undefined) meta.bestScore = options.bestScore;
  if (options.metricsLines !== undefined) meta.metricsLines = options.metricsLines;
  const artifacts: tf.io.ModelArtifacts = {
    format: CHECKPOINT_FORMAT,
    generatedBy: 'spikeflow',
    convertedBy: null,
    modelTopology: { spikeflowModel: network.spec } as unknown as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: specs,
    weightData: data,
    userDefinedMetadata: { spikeflow: meta } as unknown as Record<string, object>,
  };
  return handler.save!(artifacts);
}

export interface LoadedCheckpoint {
  network: Network;
  meta: CheckpointMeta;
  spec: NormalizedModelSpec;
  /** Restores the optimizer state, step and epoch into a trainer made for `network`. */
  restoreTrainer(trainer: Trainer): Promise<void>;
}

/** Loads a checkpoint: rebuilds the network from its spec and sets every weight. */
export async function loadCheckpoint(source: string | tf.io.IOHandler, options: BuildOptions = {}): Promise<LoadedCheckpoint> {
  const handler = resolveHandler(source, 'load');
  const artifacts = await handler.load!();
  const where = typeof source === 'string' ? source : 'the given handler';
  const topology = artifacts.modelTopology as { spikeflowModel?: NormalizedModelSpec } | undefined;
  const meta = (artifacts.userDefinedMetadata as { spikeflow?: CheckpointMeta } | undefined)?.spikeflow;
  if (!topology?.spikeflowModel || meta?.format !== CHECKPOINT_FORMAT) {
    throw new Error(`loadCheckpoint: ${where} is not a spikeflow checkpoint (expected format "${CHECKPOINT_FORMAT}" with a "${MODEL_FORMAT}" model)`);
  }
  if (!artifacts.weightSpecs || !artifacts.weightData) throw new Error(`loadCheckpoint: ${where} has no weights`);
  const bad = firstNonFinite(artifacts.weightData, artifacts.weightSpecs);
  if (bad) throw new CheckpointError(`loadCheckpoint: weight "${bad}" in ${where} holds NaN or Infinity (saved from a diverged run)`, where);
  const network = build(parseSpec(topology.spikeflowModel, options.registry), { ...options, seed: options.seed ?? meta.seed });
  const weights = tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs);
  for (const v of network.namedVariables()) {
    const t = weights[v.name];
    if (!t) throw new Error(`loadCheckpoint: ${where} lacks weight "${v.name}"`);
    if (!tf.util.arraysEqual(t.shape, v.variable.shape)) {
      throw new Error(`loadCheckpoint: weight "${v.name}" in ${where} has shape [${t.shape}], the network expects [${v.variable.shape}]`);
    }
    v.variable.assign(t);
  }
  const nameToId = new Map(network.namedVariables().map((v) => [v.name, v.variable.name]));
  const optimizerWeights: Array<{ name: string; tensor: tf.Tensor }> = [];
  for (const [name, tensor] of Object.entries(weights)) {
    if (!name.startsWith(OPTIMIZER_PREFIX)) {
      tensor.dispose();
      continue;
    }
    const stable = name.slice(OPTIMIZER_PREFIX.length);
    const owner = [...nameToId.keys()].find((n) => stable.startsWith(`${n}/`));
    optimizerWeights.push({ name: owner ? `${nameToId.get(owner)}${stable.slice(owner.length)}` : stable, tensor });
  }
  return {
    network,
    meta,
    spec: network.spec,
    async restoreTrainer(trainer: Trainer) {
      if (trainer.network !== network) throw new Error('restoreTrainer: the trainer must train the network this checkpoint loaded');
      if (optimizerWeights.length > 0) await trainer.optimizer.setWeights(optimizerWeights);
      trainer.step = meta.step;
      trainer.setEpoch(meta.epoch);
    },
  };
}

/** The name of the first float32 weight holding NaN or Infinity, read from the encoded bytes. */
function firstNonFinite(data: tf.io.WeightData, specs: tf.io.WeightsManifestEntry[]): string | undefined {
  const buffer = tf.io.concatenateArrayBuffers(data as ArrayBuffer | ArrayBuffer[]);
  let offset = 0;
  for (const spec of specs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype === 'float32' && !spec.quantization && offset % 4 === 0) {
      const values = new Float32Array(buffer, offset, count);
      for (let i = 0; i < count; i++) if (!Number.isFinite(values[i])) return spec.name;
    }
    if (spec.quantization || spec.dtype === 'string') return undefined; // no byte layout to walk further
    offset += count * (spec.dtype === 'bool' ? 1 : 4);
  }
  return undefined;
}

function resolveHandler(target: string | tf.io.IOHandler, mode: 'save' | 'load'): tf.io.IOHandler {
  if (typeof target !== 'string') return target;
  const handlers = mode === 'save' ? tf.io.getSaveHandlers(target) : tf.io.getLoadHandlers(target);
  if (handlers.length === 0) {
    const hint = target.startsWith('file://') ? " In Node, import '@spikeflow/core/node' to enable file:// URLs." : '';
    throw new Error(`no tf.io handler can ${mode} "${target}".${hint}`);
  }
  return handlers[0];
}
