import type { NormalizedLayer } from '@spikeflow/spec';

/** A merge's summary line: its inputs joined by its operator, e.g. "block + stem". */
export const mergeDetail = (l: NormalizedLayer, op: string) => ((l.inputs as string[] | undefined) ?? []).join(op);
