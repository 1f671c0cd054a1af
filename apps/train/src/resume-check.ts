import { validate } from '@spikeflow/core';
import type { ModelSpec, NormalizedModelSpec } from '@spikeflow/spec';

/** What a resume is asked to train, and which of it the command line set explicitly. */
export interface ResumeRequest {
  model: ModelSpec;
  seed: number;
  /** Flags given on the command line (without dashes), e.g. ['time-steps', 'preset']. */
  given: readonly string[];
  /** The preset the model comes from (for the message when no flag was given). */
  presetName: string;
}

export interface ResumeCheckpoint {
  spec: NormalizedModelSpec;
  seed?: number;
}

/**
 * The ways a resume request contradicts its checkpoint: the flag (or default) responsible, and both
 * values. A resumed run keeps the checkpoint's model and seed, so any of these is a usage error.
 */
export function resumeConflicts(request: ResumeRequest, ckpt: ResumeCheckpoint): string[] {
  const wanted = validate(request.model);
  const have = ckpt.spec;
  const conflicts: string[] = [];
  const given = new Set(request.given);
  const source = given.has('spec') ? '--spec' : given.has('preset') ? `--preset ${request.presetName}` : `the default preset (${request.presetName})`;
  if (wanted.timeSteps !== have.timeSteps) {
    const flag = given.has('time-steps') ? '--time-steps' : source;
    conflicts.push(`${flag} gives T=${wanted.timeSteps}, the checkpoint was trained with T=${have.timeSteps}`);
  }
  const shape = (s: NormalizedModelSpec) => JSON.stringify({ input: s.input, encoder: s.encoder, layers: s.layers.map(({ name: _n, ...l }) => l) });
  if (shape(wanted) !== shape(have)) {
    const name = (s: NormalizedModelSpec) => (s.name ? `"${s.name}"` : 'unnamed');
    conflicts.push(`${source} describes a different network (${name(wanted)}, ${wanted.layers.length} layers) than the checkpoint's (${name(have)}, ${have.layers.length} layers)`);
  }
  if (ckpt.seed !== undefined && request.seed !== ckpt.seed) {
    const flag = given.has('seed') ? '--seed' : source;
    conflicts.push(`${flag} gives seed ${request.seed}, the checkpoint's run used seed ${ckpt.seed}`);
  }
  return conflicts;
}
