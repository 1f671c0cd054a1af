import { NirError } from './errors.js';
import type { DeclaredDataset } from './hdf5.js';

/**
 * The most values a NIR import reads, over all datasets of the file: 2^26 (256 MB as float32),
 * far above any network spikeflow trains. A compressed file of a megabyte can declare gigabytes of
 * zeros; the declared sizes are checked against this before any data is inflated.
 */
export const DEFAULT_MAX_VALUES = 2 ** 26;

/** Value classes and sizes spikeflow reads: integers and floats of up to 8 bytes, strings. */
const READABLE = new Map<number, string>([
  [0, 'integer'],
  [1, 'float'],
  [3, 'string'],
]);

/** The node a dataset path belongs to (/node/nodes/<node>/...), and the dataset's key within it. */
function ownerOf(path: string): { node?: string; key: string } {
  const m = /^\/node\/nodes\/([^/]+)\/(.+)$/.exec(path);
  return m ? { node: m[1], key: m[2] } : { key: path };
}

/**
 * Refuses a file whose HDF5 metadata declares a dataset of a shape or type spikeflow cannot read,
 * or more than `maxValues` values in all; the error names the node, the dataset and why.
 */
export function checkDeclaredSizes(datasets: DeclaredDataset[], where: string, maxValues = DEFAULT_MAX_VALUES): void {
  let total = 0;
  for (const d of datasets) {
    const { node, key } = ownerOf(d.path);
    const refuse = (why: string) => new NirError(`${where}: ${node === undefined ? `dataset ${key}` : `"${key}"`} ${why}`, node);
    if (!d.shape.every((n) => Number.isSafeInteger(n) && n >= 0)) throw refuse(`declares shape [${d.shape}], which is not a list of sizes`);
    const kind = READABLE.get(d.typeClass);
    if (kind === undefined) throw refuse(`is of HDF5 type class ${d.typeClass}; NIR stores numbers and strings`);
    if (kind !== 'string' && !(d.elementBytes >= 1 && d.elementBytes <= 8)) throw refuse(`holds ${d.elementBytes}-byte ${kind}s; spikeflow reads numbers of up to 8 bytes`);
    const values = d.shape.reduce((a, b) => a * b, 1);
    if (values > maxValues) {
      throw refuse(`declares shape [${d.shape}]: ${values} values (${megabytes(values * 4)} MB as float32), more than the ${maxValues} a NIR import reads; it is not read (raise the limit with the maxValues import option)`);
    }
    total += values;
    if (total > maxValues) {
      throw refuse(`brings the file's declared values to ${total}, more than the ${maxValues} a NIR import reads; it is not read (raise the limit with the maxValues import option)`);
    }
  }
}

const megabytes = (bytes: number) => Math.round(bytes / 2 ** 20);
