// The shape of a metrics.jsonl line, checked on read: a hand-edited or foreign line is named by file
// and line with the field that is wrong, instead of failing later as a TypeError in the report.
import type { MetricsRecord } from './metrics.js';

/** Numbers a line may hold; NaN and Infinity were written as null (JSON has neither). */
const NUMBERS = ['samples', 'learningRate', 'trainLoss', 'trainAccuracy', 'testAccuracy', 'testLoss', 'imagesPerSecond', 'seconds', 'elapsedMinutes'] as const;
/** Per-layer maps of numbers (or null). */
const MAPS = ['tau', 'firingRate'] as const;
const REQUIRED = new Set<string>(['epoch', 'tau']);

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);
const isNumberOrNull = (v: unknown) => v === null || typeof v === 'number';

/** What is wrong with a parsed line, or undefined when it is a metrics record. */
export function metricsLineProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `expected an object, got ${typeOf(value)}`;
  const r = value as Record<string, unknown>;
  for (const key of REQUIRED) if (r[key] === undefined) return `field "${key}" is missing`;
  if (typeof r.epoch !== 'number' || !Number.isInteger(r.epoch) || r.epoch < 1) return `field "epoch": expected an integer >= 1, got ${JSON.stringify(r.epoch)}`;
  if (r.complete !== undefined && typeof r.complete !== 'boolean') return `field "complete": expected true or false, got ${typeOf(r.complete)}`;
  for (const key of NUMBERS) {
    if (r[key] !== undefined && !isNumberOrNull(r[key])) return `field "${key}": expected a number, got ${typeOf(r[key])} ${JSON.stringify(r[key])}`;
  }
  for (const key of MAPS) {
    const m = r[key];
    if (m === undefined) continue;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) return `field "${key}": expected an object of numbers per layer, got ${typeOf(m)}`;
    for (const [layer, v] of Object.entries(m)) if (!isNumberOrNull(v)) return `field "${key}.${layer}": expected a number, got ${typeOf(v)}`;
  }
  return undefined;
}

/** The record, or an error naming `file:line` and the field. */
export function checkMetricsLine(value: unknown, file: string, line: number): MetricsRecord {
  const problem = metricsLineProblem(value);
  if (problem) throw new Error(`${file}:${line}: not a metrics line: ${problem}`);
  return value as MetricsRecord;
}
