/** A tensor given to spikeflow has the wrong shape; the message names the expected and actual shapes. */
export class ShapeError extends Error {
  constructor(
    message: string,
    readonly expected: ReadonlyArray<number | string>,
    readonly actual: readonly number[],
  ) {
    super(`${message}: expected shape [${expected.join(', ')}], got [${actual.join(', ')}]`);
    this.name = 'ShapeError';
  }
}

/** What a training step found invalid: its input, its labels, the loss, a gradient or an updated weight. */
export type StepCheckKind = 'input' | 'labels' | 'loss' | 'gradient' | 'weight' | 'parameter';

/**
 * A training step was invalid: non-finite input, labels that are not class indices, or a loss,
 * gradient or weight that became NaN or Infinity (the run diverged). Names the epoch (1-based),
 * the step (1-based count of optimiser steps) and what was wrong.
 */
export class StepError extends Error {
  constructor(
    readonly kind: StepCheckKind,
    /** The variable for 'gradient', 'weight' and 'parameter'. */
    readonly subject: string | undefined,
    readonly epoch: number,
    readonly step: number,
    detail: string,
  ) {
    super(`epoch ${epoch}, step ${step}: ${detail}`);
    this.name = 'StepError';
  }
}

/** A checkpoint that is incomplete or damaged; `file` is the file that does not match. */
export class CheckpointError extends Error {
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CheckpointError';
  }
}
