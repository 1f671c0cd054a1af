import { integer, MAX_MINUTES, positive, str, unknownName, UsageError, type Flags } from './flags.js';
import { presetTable, type Preset } from './presets.js';
import { applySpecFile } from './spec-file.js';

export const DEFAULT_PRESET = 'fashion-mnist-small';

/** The named preset (or the default). An unknown name suggests the closest. */
export function presetNamed(name: string): Preset {
  const table = presetTable();
  // Own properties only: "__proto__" or "toString" is no preset.
  if (!Object.hasOwn(table, name)) throw unknownName('--preset', 'preset', name, Object.keys(table));
  return structuredClone(table[name]);
}

/** The flags that override any preset or --spec file, applied to `p`. */
export function applyFlags(p: Preset, flags: Flags): Preset {
  p.epochs = integer(flags, 'epochs', 1) ?? p.epochs;
  p.batchSize = integer(flags, 'batch-size', 1) ?? p.batchSize;
  p.trainLimit = integer(flags, 'train-limit', 0) ?? p.trainLimit;
  p.testLimit = integer(flags, 'test-limit', 0) ?? p.testLimit;
  p.seed = integer(flags, 'seed', 0) ?? p.seed;
  p.maxMinutes = positive(flags, 'max-minutes', MAX_MINUTES) ?? p.maxMinutes;
  const lr = positive(flags, 'lr');
  if (lr !== undefined) p.optimizer = { ...p.optimizer, learningRate: lr };
  const T = integer(flags, 'time-steps', 1, 10000);
  if (T !== undefined) p.model = { ...p.model, timeSteps: T };
  return p;
}

/** The preset with the flags applied (no --spec file). */
export function resolvePreset(flags: Flags): Preset {
  return applyFlags(presetNamed(str(flags, 'preset') ?? DEFAULT_PRESET), flags);
}

/** Preset, then --spec file, then flags. */
export async function resolveRun(flags: Flags): Promise<{ name: string; preset: Preset }> {
  const name = str(flags, 'preset') ?? DEFAULT_PRESET;
  let p = presetNamed(name);
  const spec = str(flags, 'spec');
  if (flags.spec !== undefined && !spec) throw new UsageError('--spec: expected a file name');
  if (spec) p = await applySpecFile(spec, p);
  return { name: spec ? `${name} + ${spec}` : name, preset: applyFlags(p, flags) };
}
