import { ready, File as H5File, Group, Dataset } from 'h5wasm';
import { NirError } from './errors.js';

/** A dataset as spikeflow handles it: numbers (float or integer) or strings, with a shape. */
export type Leaf =
  | { dtype: 'float32' | 'float64'; shape: number[]; data: Float32Array | Float64Array }
  | { dtype: 'int64'; shape: number[]; data: number[] }
  | { dtype: 'string'; shape: number[]; data: string[] };
/** A group: named datasets and groups. */
export interface Tree {
  group: Map<string, Tree | Leaf>;
}
export const isTree = (e: Tree | Leaf | undefined): e is Tree => e !== undefined && 'group' in e;

let fileCounter = 0;

/**
 * Writes a tree to HDF5 bytes with h5wasm, in memory (Emscripten's MEMFS), so the same code runs
 * in Node and in browsers. Strings are variable-length UTF-8 and integers int64, as h5py writes them.
 */
export async function writeHdf5(tree: Tree): Promise<Uint8Array> {
  const { FS } = await ready;
  const path = `/spikeflow-nir-${++fileCounter}.h5`;
  const file = new H5File(path, 'w');
  try {
    writeGroup(file, tree);
  } finally {
    file.close();
  }
  const bytes = FS!.readFile(path) as Uint8Array;
  FS!.unlink(path);
  return bytes;
}

function writeGroup(group: Group, tree: Tree): void {
  for (const [name, entry] of tree.group) {
    if (isTree(entry)) {
      writeGroup(group.create_group(name), entry);
    } else if (entry.dtype === 'string') {
      // A scalar string is passed as a string: h5wasm then writes a scalar (shape []) vlen string.
      const data = entry.shape.length === 0 ? entry.data[0] : entry.data;
      group.create_dataset({ name, data, shape: entry.shape });
    } else if (entry.dtype === 'int64') {
      group.create_dataset({ name, data: BigInt64Array.from(entry.data, (v) => BigInt(v)), shape: entry.shape, dtype: '<q' });
    } else {
      group.create_dataset({ name, data: entry.data, shape: entry.shape, dtype: entry.dtype === 'float32' ? '<f' : '<d' });
    }
  }
}

/** What a dataset's HDF5 metadata declares, known before its data is read (and inflated). */
export interface DeclaredDataset {
  /** Its path in the file: /node/nodes/<node>/<key>. */
  path: string;
  shape: number[];
  /** H5T class: 0 integer, 1 float, 3 string. */
  typeClass: number;
  /** Bytes per value. */
  elementBytes: number;
}

/**
 * Reads HDF5 bytes into a tree. `where` names the source in errors. `checkDeclared` sees every
 * dataset's declared shape and type before any data is read: a small compressed file can declare
 * gigabytes, and the check can refuse it before they are inflated.
 */
export async function readHdf5(bytes: Uint8Array, where: string, checkDeclared?: (datasets: DeclaredDataset[]) => void): Promise<Tree> {
  const { FS } = await ready;
  const path = `/spikeflow-nir-${++fileCounter}.h5`;
  if (bytes.length < 8 || !isHdf5Signature(bytes)) {
    throw new Error(`${where}: not an HDF5 file (a NIR file is HDF5; the first bytes are not the HDF5 signature)`);
  }
  FS!.writeFile(path, bytes);
  try {
    let file: H5File;
    try {
      file = new H5File(path, 'r');
    } catch (e) {
      throw new Error(`${where}: HDF5 could not open it (${(e as Error).message ?? String(e)}); the file may be truncated or damaged`, { cause: e });
    }
    try {
      checkDeclared?.(declaredDatasets(file, ''));
      return readGroup(file, '');
    } catch (e) {
      if (e instanceof NirError) throw e;
      const message = (e as Error).message ?? String(e);
      throw new Error(message.startsWith('/') ? `${where}: ${message}` : `${where}: HDF5 could not read it (${message}); the file may be truncated or damaged`, { cause: e });
    } finally {
      file.close();
    }
  } finally {
    FS!.unlink(path);
  }
}

function isHdf5Signature(bytes: Uint8Array): boolean {
  const signature = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  // The superblock may sit at 0, 512, 1024, ... (a user block before it).
  for (let offset = 0; offset + 8 <= bytes.length; offset = offset === 0 ? 512 : offset * 2) {
    if (signature.every((b, i) => bytes[offset + i] === b)) return true;
  }
  return false;
}

function declaredDatasets(group: Group, path: string, out: DeclaredDataset[] = []): DeclaredDataset[] {
  for (const name of group.keys()) {
    const entry = group.get(name);
    const where = `${path}/${name}`;
    if (entry instanceof Group) declaredDatasets(entry, where, out);
    else if (entry instanceof Dataset) out.push({ path: where, shape: (entry.shape ?? []).map(Number), typeClass: entry.metadata.type, elementBytes: entry.metadata.size });
  }
  return out;
}

function readGroup(group: Group, path: string): Tree {
  const tree: Tree = { group: new Map() };
  for (const name of group.keys()) {
    const entry = group.get(name);
    const where = `${path}/${name}`;
    if (entry instanceof Group) tree.group.set(name, readGroup(entry, where));
    else if (entry instanceof Dataset) tree.group.set(name, readDataset(entry, where));
    // Links and named datatypes carry nothing NIR uses.
  }
  return tree;
}

function readDataset(ds: Dataset, where: string): Leaf {
  const shape = ds.shape ?? [];
  const value = ds.value;
  const meta = ds.metadata;
  // H5T classes: 0 integer, 1 float, 3 string.
  if (meta.type === 3) {
    const data = Array.isArray(value) ? value.map(String) : [String(value)];
    return { dtype: 'string', shape, data };
  }
  if (meta.type === 1) {
    if (typeof value === 'number') return { dtype: 'float64', shape, data: Float64Array.of(value) };
    if (value instanceof Float32Array) return { dtype: 'float32', shape, data: value };
    if (value instanceof Float64Array) return { dtype: 'float64', shape, data: value };
    throw new Error(`${where}: float dataset of size ${meta.size} bytes is not supported (float32 and float64 are)`);
  }
  if (meta.type === 0) {
    const list = typeof value === 'number' || typeof value === 'bigint' ? [value] : Array.from(value as ArrayLike<number | bigint>);
    return { dtype: 'int64', shape, data: list.map((v) => Number(v)) };
  }
  throw new Error(`${where}: dataset of HDF5 type class ${meta.type} is not supported (NIR stores numbers and strings)`);
}
