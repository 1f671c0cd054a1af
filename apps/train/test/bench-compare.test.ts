// The CSNN training benchmark's comparison plumbing (apps/train/bench/backends.bench.mjs): its flags,
// the SpikingJelly row's probe, skip message and result parsing, the JSON report, and that the
// Python side compiles. The timed runs themselves are benchmarks (npm run bench:compare), not tests.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs modules of the benchmark (no types)
import { parseCompareArgs } from '../bench/compare/args.mjs';
// @ts-expect-error plain .mjs modules of the benchmark (no types)
import { probeSpikingJelly, runSpikingJelly, SPIKINGJELLY_SCRIPT } from '../bench/compare/spikingjelly.mjs';
// @ts-expect-error plain .mjs modules of the benchmark (no types)
import { buildCompareReport, formatCompareTable } from '../bench/compare/report.mjs';

const bench = new URL('../bench/backends.bench.mjs', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'spikeflow-bench-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in interpreter: a shell script that answers the probe and the run as told. */
function fakePython(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

const sjResult = { framework: 'spikingjelly', threads: 2, snnMs: 400, snnImagesPerSecond: 160, annMs: 300, annImagesPerSecond: 213.3, ratio: 1.33, neuronMs: 100, neuronShare: 0.25, peakRssMB: 700 };
const sfResult = (ips: number) => ({ framework: 'spikeflow', backend: 'wasm', neuronImpl: 'fused', threads: 2, snnMs: 64000 / ips, snnImagesPerSecond: ips, annImagesPerSecond: 170, ratio: 1.4, neuronShare: 0.3, peakTensorMB: 580, peakRssMB: 560 });

describe('flags', () => {
  it('defaults to every backend, two rounds and SpikingJelly on', () => {
    const o = parseCompareArgs([]);
    expect(o).toMatchObject({ backends: ['wasm', 'cpu', 'webgpu'], rounds: 2, spikingjelly: true });
    expect(o.steps).toBeUndefined();
    expect(parseCompareArgs(['--backends', 'none', '--rounds', '3', '--threads', '4', '--no-spikingjelly'])).toMatchObject({ backends: [], rounds: 3, threads: 4, spikingjelly: false });
  });
  it('names the flag that is wrong', () => {
    expect(() => parseCompareArgs(['--rounds', '0'])).toThrow('--rounds: expected an integer >= 1, got "0"');
    expect(() => parseCompareArgs(['--steps', '1.5'])).toThrow('--steps');
    expect(() => parseCompareArgs(['--backends', 'wasm,wsam'])).toThrow('--backends: unknown backend "wsam"');
    expect(() => parseCompareArgs(['--fast'])).toThrow(/'--fast'.*flags: --backends/);
  });
  it('exits 2 with the message on bad flags', () => {
    const r = spawnSync(process.execPath, [bench, '--threads', 'many'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--threads: expected an integer >= 1, got "many"');
  });
});

describe('the SpikingJelly row', () => {
  it('is skipped with the import error and where it runs', () => {
    const missing = fakePython('no-torch', 'echo "ModuleNotFoundError: No module named \'torch\'" >&2; exit 1');
    expect(probeSpikingJelly(missing)).toEqual({ available: false, reason: `${missing} cannot import torch and spikingjelly (ModuleNotFoundError: No module named 'torch')` });
    expect(probeSpikingJelly(join(dir, 'not-there')).reason).toMatch(/could not run \(ENOENT\)/);
    const out = join(dir, 'out-skip');
    const r = spawnSync(process.execPath, [bench, '--backends', 'none', '--rounds', '1', '--python', missing], { encoding: 'utf8', env: { ...process.env, SPIKEFLOW_BENCH_OUT: out } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("SpikingJelly: skipped: " + `${missing} cannot import torch and spikingjelly (ModuleNotFoundError: No module named 'torch'); it runs where`);
    const json = JSON.parse(readFileSync(join(out, 'backends.json'), 'utf8'));
    expect(json).toMatchObject({ T: 4, batch: 64, rounds: 1, runs: [], ratios: [], spikingjelly: { status: 'skipped' } });
    expect(json.spikingjelly.where).toContain('import torch, spikingjelly');
  });
  it('runs the script with the steps and threads asked for, and reads its RESULT line', () => {
    // The stand-in echoes its arguments so the test sees what the script would be given.
    const fake = fakePython('fake-sj', `echo "RESULT {\\"framework\\":\\"spikingjelly\\",\\"args\\":\\"$*\\"}"`);
    expect(runSpikingJelly(fake, { steps: 2, threads: 3 })).toEqual({ framework: 'spikingjelly', args: `${SPIKINGJELLY_SCRIPT} --steps 2 --threads 3` });
    const broken = fakePython('broken-sj', 'echo "RuntimeError: out of memory" >&2; exit 1');
    expect(runSpikingJelly(broken)).toEqual({ framework: 'spikingjelly', error: 'RuntimeError: out of memory' });
  });
  it('takes turns with spikeflow and reports the best round and the ratio', () => {
    const fake = fakePython('sj-rounds', `echo 'RESULT ${JSON.stringify(sjResult)}'`);
    const out = join(dir, 'out-ran');
    const r = spawnSync(process.execPath, [bench, '--backends', 'none', '--rounds', '2', '--python', fake], { encoding: 'utf8', env: { ...process.env, SPIKEFLOW_BENCH_OUT: out } });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/round 1: SpikingJelly \(PyTorch CPU\): 160\.0 images\/s, 2 threads\nround 2: SpikingJelly/);
    const json = JSON.parse(readFileSync(join(out, 'backends.json'), 'utf8'));
    expect(json.spikingjelly.status).toBe('ran');
    expect(json.runs[0].rounds.map((x: { round: number }) => x.round)).toEqual([1, 2]);
  });
  it('compiles (python3 -m py_compile)', () => {
    const r = spawnSync('python3', ['-c', `import py_compile, sys; py_compile.compile(sys.argv[1], cfile='${join(dir, 'sj.pyc')}', doraise=True)`, SPIKINGJELLY_SCRIPT], { encoding: 'utf8' });
    expect(r.error, 'python3 is needed to check the SpikingJelly script (apt-get install python3)').toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('the report', () => {
  const runs = [
    { name: 'spikeflow wasm', framework: 'spikeflow', backend: 'wasm', rounds: [sfResult(120), sfResult(150)] },
    { name: 'spikeflow cpu', framework: 'spikeflow', backend: 'cpu', rounds: [{ error: 'out of memory' }, { error: 'out of memory' }] },
    { name: 'SpikingJelly (PyTorch CPU)', framework: 'spikingjelly', rounds: [{ ...sjResult, snnImagesPerSecond: 200 }, sjResult] },
  ];
  const report = buildCompareReport({ T: 4, batch: 64, rounds: 2, runs, spikingjelly: { status: 'ran' }, load: [1, 1, 1], cores: 2, date: 'd' });
  it('keeps the best round of each run and divides by SpikingJelly\'s best', () => {
    expect(report.runs[0].best.snnImagesPerSecond).toBe(150);
    expect(report.runs[1]).toMatchObject({ best: null, error: 'out of memory' });
    expect(report.ratios).toEqual([{ backend: 'wasm', spikeflowImagesPerSecond: 150, spikingjellyImagesPerSecond: 200, ratio: 0.75 }]);
  });
  it('prints threads, peak memory and the ratio in the table', () => {
    const table = formatCompareTable(report);
    expect(table).toContain('| spikeflow wasm | fused | 2 | 150.0 | 120.0, 150.0 | 170.0 | 1.40 | 30.0% | 580 | 560 | 0.75 |');
    expect(table).toContain('| spikeflow cpu | - | - | - | - | - | - | - | - | - | out of memory |');
    expect(table).toContain('spikeflow wasm / SpikingJelly: 0.75 (150.0 / 200.0 images/s, best of 2 round(s) each)');
  });
});
