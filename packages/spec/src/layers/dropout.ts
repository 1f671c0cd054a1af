import { field } from '../fields.js';
import { defineLayerKind } from '../layer-kind.js';
import type { LayerSpecBase } from '../types.js';

export interface DropoutLayerSpec extends LayerSpecBase {
  kind: 'dropout';
  /** Fraction dropped; the mask is drawn once per sample and shared over all T steps. */
  rate?: number;
}

/** Dropout with one mask per sample shared by every time step. */
export const dropoutKind = defineLayerKind({
  kind: 'dropout',
  description: 'dropout, one mask per sample shared over all T steps',
  fields: {
    rate: field.number({ min: 0, exclusiveMax: 1, default: 0.5, description: 'fraction dropped; one mask per sample shared over all T steps' }),
  },
  outputShape: ([input]) => input,
});

declare module '../types.js' {
  interface LayerKinds {
    dropout: DropoutLayerSpec;
  }
}
