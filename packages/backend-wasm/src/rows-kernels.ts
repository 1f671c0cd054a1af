// The rows module (simd/rows-module.ts) on the backend's heap, and its row sums: Sum over leading
// axes of rows too wide for tfjs-backend-wasm's AvgPool (reduce-leading.ts), e.g. Tile's gradient
// over the time steps of a repeated input.
import type { TensorInfo } from '@tensorflow/tfjs';
import { rowsModuleBinary, type RowsModuleFunction } from './simd/rows-module.js';
import { pooledModule } from './simd/pooled-module.js';
import { heapAddress, type BackendWasm } from './wasm-call.js';

// Items per thread below which a call runs on one thread (each wake-up of the pool costs ~20 µs):
// blocks of 256 rows for batch norm; row sums pass `threaded` themselves.
export const rowsModule = pooledModule<RowsModuleFunction>(rowsModuleBinary, 8);

// Columns below which adding rows is not worth waking the pool.
const MIN_THREADED_COLUMNS = 16384;

/** x viewed as [rows, cols] summed over its rows in row order, float32, as a [cols] tensor; undefined where the module cannot run. */
export function addRowsSimd(backend: BackendWasm, x: TensorInfo, rows: number, cols: number): TensorInfo | undefined {
  const k = rowsModule.current();
  if (!k || cols % 4 !== 0 || rows < 1) return undefined;
  const out = backend.makeOutput([cols], 'float32');
  rowsModule.run(k, 'add_rows', [heapAddress(backend, x), heapAddress(backend, out), rows, cols], cols >= MIN_THREADED_COLUMNS);
  return out;
}
