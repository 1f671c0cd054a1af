// Runs the built `spikeflow` command as a child process, as a user would (and as a kill finds it).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'apps', 'train', 'bin', 'spikeflow.js');

/** The command runs from its build: `npm test` builds first; alone, run `npm run build` before. */
export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'apps', 'train', 'dist', 'index.js'))) {
    throw new Error('apps/train/dist is missing: run `npm run build` first (npm test does)');
  }
}

/** Tiny synthetic runs: a few steps per epoch, so an epoch boundary comes every fraction of a second. */
export const TINY = ['--preset', 'synthetic', '--backend', 'cpu', '--batch-size', '8', '--train-limit', '16', '--test-limit', '8', '--time-steps', '1', '--seed', '7', '--progress', 'none', '--no-report'];

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the command; `onLine` sees each stdout line as it comes (to time a kill). */
export function start(args: string[], onLine?: (line: string, child: ChildProcess) => void): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk;
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const l of lines) onLine?.(l, child);
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const done = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export function runCli(args: string[]): Promise<Run> {
  return start(args).done;
}

/** Epoch numbers of metrics.jsonl, in file order (a torn last line shows as NaN). */
export function metricsEpochs(out: string): number[] {
  const file = join(out, 'metrics.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      try {
        return (JSON.parse(l) as { epoch: number }).epoch;
      } catch {
        return Number.NaN;
      }
    });
}
