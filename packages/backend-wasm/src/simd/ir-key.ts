// A short, stable name for a neuron's step IR: the prebuilt SIMD modules are filed under it, and a
// network's neuron finds its module by it at run time (the same IR always gives the same key, in
// Node at build time and in any browser).
import type { NeuronIR } from '@spikeflow/core/backend';

/** The IR as canonical JSON: `varying` (derived) left out, the read-set sorted. */
export function canonicalIr(ir: NeuronIR): string {
  const { backwardReads, ...rest } = ir;
  return JSON.stringify({ ...rest, backwardReads: [...backwardReads].sort() }, (key, value: unknown) => (key === 'varying' ? undefined : value));
}

/** 64-bit FNV-1a of a string's UTF-16 code units, as 16 hex digits. */
function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  for (let i = 0; i < text.length; i++) h = ((h ^ BigInt(text.charCodeAt(i))) * prime) & mask;
  return h.toString(16).padStart(16, '0');
}

/** The key of a neuron's step IR (16 hex digits). */
export const neuronIrKey = (ir: NeuronIR): string => fnv1a64(canonicalIr(ir));
