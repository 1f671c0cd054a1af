import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { CheckpointError } from '../errors.js';

/**
 * Every read of a checkpoint goes through this file. A checkpoint may come from anywhere (a
 * download, a shared drive), so the names it lists are untrusted: each must be a plain file name
 * inside the checkpoint's folder, each file must be a regular file (no link, device, FIFO or
 * folder), and no read goes past the size the checkpoint declares for it.
 */

/** Largest JSON file of a checkpoint (manifest.json, the model file): a spec and a weight list are far smaller. */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;

/**
 * The path of a file that a checkpoint names. Refused unless the name is a plain file name that
 * resolves inside `dir` (no `..`, no absolute path, no sub-folder). `listedIn` names the file
 * that lists it, for the error.
 */
export function checkpointFilePath(dir: string, name: unknown, listedIn: string): string {
  const refuse = (why: string) =>
    new CheckpointError(`${listedIn} names the file ${JSON.stringify(name)}, which ${why}; a checkpoint's files are plain names inside its folder ${dir}`, listedIn);
  if (typeof name !== 'string' || name === '') throw refuse('is not a file name');
  if (name.includes('\0')) throw refuse('holds a NUL character');
  if (isAbsolute(name)) throw refuse('is an absolute path');
  const path = resolve(dir, name);
  const inside = relative(dir, path);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) throw refuse('is outside the checkpoint folder');
  if (inside.includes(sep) || inside.includes('/')) throw refuse('is in a sub-folder');
  return path;
}

/**
 * Reads a checkpoint file of at most `maxBytes` bytes; undefined when it does not exist. A symbolic
 * link, anything but a regular file, or a file longer than `maxBytes` is refused before its
 * content is read; `declared` says where the limit comes from, for the error.
 */
export async function readCheckpointFile(path: string, maxBytes: number, declared: string): Promise<Buffer | undefined> {
  let kind;
  try {
    kind = await lstat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw cannotRead(path, e);
  }
  if (kind.isSymbolicLink()) throw new CheckpointError(`checkpoint file ${path} is a symbolic link; a checkpoint's files are regular files (links are not followed)`, path);
  if (!kind.isFile()) throw new CheckpointError(`checkpoint file ${path} is not a regular file (${describeKind(kind)}); it is not read`, path);
  // O_NOFOLLOW and the fstat below close the gap between lstat and open (a swap to a link or a FIFO);
  // O_NONBLOCK keeps a FIFO swapped in from blocking the open.
  const flags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
  let fh;
  try {
    fh = await open(path, flags);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw new CheckpointError(`checkpoint file ${path} is a symbolic link; a checkpoint's files are regular files (links are not followed)`, path);
    throw cannotRead(path, e);
  }
  try {
    const stat = await fh.stat();
    if (!stat.isFile()) throw new CheckpointError(`checkpoint file ${path} is not a regular file (${describeKind(stat)}); it is not read`, path);
    if (stat.size > maxBytes) throw tooLong(path, stat.size, maxBytes, declared);
    // One byte more than the limit: a file that grew since fstat is found without reading it all.
    const buffer = Buffer.alloc(stat.size + 1);
    let total = 0;
    while (total < buffer.length) {
      const { bytesRead } = await fh.read(buffer, total, buffer.length - total, total);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
    if (total > maxBytes) throw tooLong(path, total, maxBytes, declared);
    return buffer.subarray(0, Math.min(total, stat.size));
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw cannotRead(path, e);
  } finally {
    await fh.close();
  }
}

function tooLong(path: string, size: number, maxBytes: number, declared: string): CheckpointError {
  return new CheckpointError(`checkpoint file ${path} is damaged: it holds ${size === maxBytes + 1 ? `more than ${maxBytes}` : size} bytes, ${declared} ${maxBytes}; it is not read`, path);
}

function cannotRead(path: string, e: unknown): CheckpointError {
  return new CheckpointError(`cannot read checkpoint file ${path}: ${(e as Error).message}`, path, { cause: e });
}

function describeKind(s: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a FIFO';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Bytes per value of each dtype a checkpoint's weights use. */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/**
 * The bytes of weight data that a model file's weight list declares. Refused (naming `modelPath`)
 * when a shape is not a list of non-negative integers or a dtype is not one spikeflow stores.
 */
export function declaredWeightBytes(weights: unknown, modelPath: string): number {
  if (!Array.isArray(weights)) throw new CheckpointError(`checkpoint file ${modelPath} is damaged: its weight list is not a list`, modelPath);
  let total = 0;
  for (const w of weights as Array<{ name?: unknown; shape?: unknown; dtype?: unknown }>) {
    const shape = w?.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      throw new CheckpointError(`checkpoint file ${modelPath} is damaged: weight ${JSON.stringify(w?.name)} has shape ${JSON.stringify(shape)}, not a list of sizes`, modelPath);
    }
    const dtype = w.dtype ?? 'float32';
    const per = typeof dtype === 'string' && Object.hasOwn(DTYPE_BYTES, dtype) ? DTYPE_BYTES[dtype] : undefined;
    if (per === undefined) throw new CheckpointError(`checkpoint file ${modelPath}: weight ${JSON.stringify(w.name)} has dtype ${JSON.stringify(dtype)}; spikeflow reads ${Object.keys(DTYPE_BYTES).join(', ')}`, modelPath);
    total += (shape as number[]).reduce((a, b) => a * b, 1) * per;
  }
  if (!Number.isSafeInteger(total)) throw new CheckpointError(`checkpoint file ${modelPath} is damaged: its weights declare ${total} bytes`, modelPath);
  return total;
}
