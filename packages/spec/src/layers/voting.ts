import { field } from '../fields.js';
import { defineLayerKind, showShape } from '../layer-kind.js';
import type { LayerSpecBase } from '../types.js';

export interface VotingLayerSpec extends LayerSpecBase {
  kind: 'voting';
  /** Number of classes: units are averaged in `groups` consecutive groups of units/groups. */
  groups: number;
}

/** Averages consecutive groups of units: one vote per class. */
export const votingKind = defineLayerKind({
  kind: 'voting',
  description: 'averages consecutive groups of units (one per class)',
  fields: {
    groups: field.integer({ exclusiveMin: 0, description: 'number of classes; units are averaged in groups of units/groups' }),
  },
  outputShape([input], l) {
    const groups = l.groups as number;
    if (input.length !== 1) return { problem: `voting expects a flat input [units], but the input here is ${showShape(input)}` };
    if (input[0] % groups !== 0) return { problem: `${groups} groups do not divide the ${input[0]} units of the layer before`, field: 'groups' };
    return [groups];
  },
});

declare module '../types.js' {
  interface LayerKinds {
    voting: VotingLayerSpec;
  }
}
