// What every benchmark's JSON says about how it was made (the machine, the date, the command), and
// where it goes. By default into .tmp/bench-results/ (ignored by git) or $SPIKEFLOW_BENCH_OUT; with
// --save on the command line (or SPIKEFLOW_BENCH_SAVE=1) into the committed bench-results/, from which
// the README and the docs Benchmarks page render their tables (scripts/bench-tables.mjs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The committed folder the README and the docs render from. */
export const SAVED_DIR = join(REPO_ROOT, 'bench-results');

/** Environment variables that change what a benchmark measures, so they belong to its command. */
const COMMAND_ENV = ['SPIKEFLOW_BENCH_QUICK', 'PYTHONPATH', 'SPIKEFLOW_PYTHON'];

/** The machine a figure belongs to. */
export function machine() {
  return {
    cpu: cpus()[0]?.model?.trim() || 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${type()} ${release()} ${arch()}`,
    node: process.version,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** The command line that ran this benchmark, as one would type it from the repository root. */
export function benchCommand(argv = process.argv, env = process.env) {
  const vars = COMMAND_ENV.filter((k) => env[k] !== undefined && env[k] !== '').map((k) => `${k}=${env[k]}`);
  const script = argv[1] ? relative(REPO_ROOT, argv[1]) : '?';
  return [...vars, 'node', script, ...argv.slice(2)].join(' ');
}

export const saveRequested = (argv = process.argv, env = process.env) => argv.includes('--save') || env.SPIKEFLOW_BENCH_SAVE === '1';

/** Where this run's JSON goes (created). */
export function benchOutDir(argv = process.argv, env = process.env) {
  const dir = saveRequested(argv, env) ? SAVED_DIR : (env.SPIKEFLOW_BENCH_OUT ?? join(REPO_ROOT, '.tmp', 'bench-results'));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The benchmark's own data under { machine, date, command }. */
export function benchRecord(data, argv = process.argv, env = process.env) {
  return { machine: machine(), date: new Date().toISOString(), command: benchCommand(argv, env), ...data };
}

/** Writes NAME.json with its record into benchOutDir(); returns the file's path. */
export function writeBenchJson(name, data, argv = process.argv, env = process.env) {
  const file = join(benchOutDir(argv, env), `${name}.json`);
  writeFileSync(file, JSON.stringify(benchRecord(data, argv, env), null, 2) + '\n');
  return file;
}
