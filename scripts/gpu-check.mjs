#!/usr/bin/env node
// spikeflow on a machine with an NVIDIA GPU: one prepared run, WebGPU through Dawn (npm "webgpu")
// over the NVIDIA Vulkan driver. Installs nothing and reaches no network; everything it measures
// lands in one folder.
//
//   Before: node 20+, this repository with `npm ci` done, NVIDIA's driver with its Vulkan ICD
//   (nvidia_icd.json) and the Vulkan loader (libvulkan1). Fashion-MNIST for the training run: the
//   Debian package dataset-fashion-mnist, or --data-dir DIR with the four IDX files.
//
//   node scripts/gpu-check.mjs [--out DIR] [--minutes 60] [--data-dir DIR] [--no-build] [--allow-software]
//   node scripts/gpu-check.mjs --smoke      (tiny sizes; runs on any adapter, lavapipe included: CI)
//
// Steps, each in its own process, its output in DIR/logs/ and its JSON in DIR/:
//   1. environment: the Vulkan loader, the ICDs (NVIDIA's expected), nvidia-smi, the adapter Dawn picks
//      (stops unless it is a hardware adapter; --allow-software runs anyway);
//   2. the fused-vs-reference PLIF layer table at T = 8, 32, 128 and N = 2^20, with the neuron
//      programs at 256 and at 64 threads per workgroup;
//   3. `npm run bench` rows for WebGPU: the webgpu bench, the neuron layer bench, the CSNN backends
//      bench (--backends webgpu), the conv filter gradient bench and the step profile;
//   4. CSNN C=128 T=4 training images/s (goal >= 10,000; SpikingJelly CuPy+AMP ~7,400);
//   5. `spikeflow train --preset fashion-mnist --backend webgpu` for the minutes left of --minutes.
// At the end DIR/summary.json and DIR/summary.md list every step, its status and its tables.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { values: flags } = parseArgs({
  options: {
    out: { type: 'string' },
    minutes: { type: 'string', default: '60' },
    'data-dir': { type: 'string' },
    smoke: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'allow-software': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (flags.help) {
  console.log(readFileSync(new URL(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
  process.exit(0);
}
const smoke = flags.smoke;
const minutes = Number(flags.minutes);
if (!(minutes > 0)) {
  console.error(`gpu-check: --minutes must be a number > 0, got "${flags.minutes}"`);
  process.exit(2);
}
const started = Date.now();
const out = resolve(flags.out ?? join(root, `gpu-check-${new Date().toISOString().replace(/[:.]/g, '-')}`));
mkdirSync(join(out, 'logs'), { recursive: true });
const steps = [];

/** Runs one step in its own process; its output goes to the terminal and to logs/NAME.log. */
function runStep(name, args, { env = {}, timeoutS = 3600, cwd = root } = {}) {
  return new Promise((done) => {
    const t0 = Date.now();
    console.log(`\n=== ${name}: node ${args.join(' ')}`);
    const log = createWriteStream(join(out, 'logs', `${name}.log`));
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, SPIKEFLOW_BENCH_OUT: out, ...env } });
    let tail = '';
    const onData = (d) => {
      process.stdout.write(d);
      log.write(d);
      tail = (tail + d.toString()).slice(-4000);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutS * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      log.end();
      const step = { name, command: `node ${args.join(' ')}`, exitCode: code, signal, seconds: (Date.now() - t0) / 1000, ok: code === 0 };
      if (!step.ok) step.tail = tail.split('\n').filter((l) => l && !l.startsWith('Warning:')).slice(-5).join('\n');
      steps.push(step);
      done(step);
    });
  });
}

/** Vulkan loader and drivers, without vulkaninfo (it may not be installed). */
function vulkanEnvironment() {
  const ldconfig = spawnSync('ldconfig', ['-p'], { encoding: 'utf8' });
  const loader = (ldconfig.stdout ?? '').split('\n').filter((l) => l.includes('libvulkan.so')).map((l) => l.trim());
  const icdDirs = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
  const icds = icdDirs.filter(existsSync).flatMap((d) => readdirSync(d).map((f) => join(d, f)));
  const smi = spawnSync('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'], { encoding: 'utf8' });
  return {
    loader,
    icds,
    icdFilenamesEnv: process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES ?? null,
    nvidiaIcd: icds.some((f) => /nvidia/i.test(f)),
    nvidiaSmi: smi.status === 0 ? smi.stdout.trim() : null,
  };
}

const env = vulkanEnvironment();
writeFileSync(join(out, 'environment.json'), JSON.stringify({ ...env, node: process.version, platform: `${process.platform} ${process.arch}`, smoke, date: new Date().toISOString() }, null, 2));
console.log(`gpu-check${smoke ? ' --smoke' : ''}: output in ${out}`);
console.log(`  Vulkan loader: ${env.loader[0] ?? 'NOT FOUND'}`);
console.log(`  Vulkan ICDs: ${env.icds.join(', ') || 'none'}${env.nvidiaIcd ? '' : ' (no NVIDIA ICD)'}`);
console.log(`  nvidia-smi: ${env.nvidiaSmi ?? 'not found'}`);
if (env.loader.length === 0) {
  console.error('gpu-check: no Vulkan loader (libvulkan.so.1). Install the distribution\'s libvulkan1 (Debian/Ubuntu) or vulkan-loader; Dawn reaches the GPU through it.');
  process.exit(2);
}
if (!env.nvidiaIcd && !smoke) console.warn('gpu-check: no nvidia_icd.json among the Vulkan ICDs: NVIDIA\'s driver package installs it (e.g. libnvidia-gl-<version> on Ubuntu); Dawn will not see the GPU without it.');

if (!flags['no-build']) {
  console.log('\n=== build (npm run build, local only)');
  const b = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
  writeFileSync(join(out, 'logs', 'build.log'), (b.stdout ?? '') + (b.stderr ?? ''));
  if (b.status !== 0) {
    console.error(`gpu-check: npm run build failed (logs/build.log):\n${(b.stdout + b.stderr).split('\n').slice(-10).join('\n')}`);
    process.exit(1);
  }
}

// 1. The adapter Dawn picks.
const adapterStep = await runStep('adapter', [join(root, 'scripts/gpu-check/adapter.mjs'), join(out, 'adapter.json')]);
if (!adapterStep.ok) {
  finish('Dawn found no WebGPU adapter (logs/adapter.log)');
}
const adapter = JSON.parse(readFileSync(join(out, 'adapter.json'), 'utf8'));
console.log(`adapter: ${adapter.device}`);
if (adapter.execution === 'software' && !smoke && !flags['allow-software']) {
  finish(`Dawn picked a software adapter (${adapter.device}): the NVIDIA Vulkan driver is not visible to it. Check nvidia_icd.json (VK_ICD_FILENAMES) and that the driver's Vulkan library matches the kernel module; --allow-software runs anyway.`);
}

// 2. The layer table, at the preferred workgroup size and at 64.
const layerN = smoke ? '12' : '20';
const layerT = smoke ? '8,32' : '8,32,128';
// Smoke: the webgpu bench below runs the table at 256 already.
for (const wg of smoke ? ['64'] : ['256', '64']) {
  await runStep(`layer-table-wg${wg}`, [join(root, 'packages/backend-webgpu/bench/webgpu.bench.mjs'), '--layer-only', `--layer-n=${layerN}`, `--layer-t=${layerT}`, `--workgroup=${wg}`],
    { env: { SPIKEFLOW_BENCH_OUT: join(out, `layer-table-wg${wg}`) } });
}

// 3. `npm run bench` rows for WebGPU (each script as scripts/bench.mjs runs it).
const quickEnv = smoke ? { SPIKEFLOW_BENCH_QUICK: '1' } : {};
const bench = (name, script, args = [], extra = {}) => runStep(name, ['--expose-gc', join(root, script), ...args], { env: { SPIKEFLOW_BENCH_OUT: join(out, 'bench'), ...quickEnv, ...extra } });
await bench('bench-webgpu', 'packages/backend-webgpu/bench/webgpu.bench.mjs', smoke
  ? ['--quick', '--layer-n=10', '--layer-t=8', '--batch=2', '--steps=1', '--leak-steps=11', '--leak-batch=2', '--no-cpu']
  : []);
await bench('bench-neuron-layer', 'packages/conformance/bench/neuron-layer.bench.mjs', ['--backends', 'webgpu', ...(smoke ? ['--m', '4096', '--reps', '1'] : ['--m', String(2 ** 20)])]);
if (!smoke) await bench('bench-backends', 'apps/train/bench/backends.bench.mjs', ['--backends', 'webgpu', '--steps', '5']);
await bench('bench-conv-filter-grad', 'packages/backend-webgpu/bench/conv-filter-grad.bench.mjs', smoke ? ['--batch', '2', '--reps', '1'] : []);
await bench('bench-step-profile', 'packages/backend-webgpu/bench/step-profile.bench.mjs', smoke ? ['--batch', '2', '--steps', '1'] : ['--steps', '5']);

// 4. CSNN C=128 T=4 training throughput.
await runStep('csnn-c128', [join(root, 'packages/backend-webgpu/bench/csnn-throughput.bench.mjs'), ...(smoke ? ['--channels', '8', '--batches', '2', '--steps', '1'] : ['--channels', '128', '--batches', '64,128,256', '--steps', '10'])]);

// 5. The paper's Fashion-MNIST preset for the minutes left.
const left = Math.max(1, minutes - (Date.now() - started) / 60000);
const trainArgs = [join(root, 'apps/train/bin/spikeflow.js'), 'train', '--preset', 'fashion-mnist', '--backend', 'webgpu', '--out', join(out, 'train'), '--progress', 'lines'];
if (flags['data-dir']) trainArgs.push('--data-dir', flags['data-dir']);
if (smoke) trainArgs.push('--max-steps', '1', '--train-limit', '2', '--test-limit', '2', '--batch-size', '2', '--time-steps', '1');
else trainArgs.push('--max-minutes', left.toFixed(2));
await runStep('train-fashion-mnist', trainArgs, { timeoutS: Math.ceil(left * 60) + 600 });

finish();

/** Writes summary.json and summary.md (the tables of every JSON the steps wrote), then exits. */
function finish(stopReason) {
  const jsons = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory() && e.name !== 'logs' && e.name !== 'train') walk(p);
      else if (e.name.endsWith('.json') && !p.endsWith('summary.json')) jsons.push(p.slice(out.length + 1));
    }
  };
  walk(out);
  const summary = { stopReason: stopReason ?? null, smoke, minutes, seconds: (Date.now() - started) / 1000, steps, results: jsons };
  writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 2));
  const md = [
    `# spikeflow gpu-check${smoke ? ' (smoke)' : ''}`, '',
    stopReason ? `**Stopped:** ${stopReason}\n` : '',
    '| step | status | seconds | command |', '|---|---|---:|---|',
    ...steps.map((s) => `| ${s.name} | ${s.ok ? 'ok' : `failed (${s.signal ?? `exit ${s.exitCode}`})`} | ${s.seconds.toFixed(0)} | \`${s.command.replace(root, '')}\` |`),
    '', 'Each step\'s full output (with its tables) is in logs/; the JSON files:', '', ...jsons.map((j) => `- ${j}`),
  ];
  writeFileSync(join(out, 'summary.md'), md.join('\n') + '\n');
  const failed = steps.filter((s) => !s.ok);
  console.log(`\ngpu-check: ${steps.length - failed.length} of ${steps.length} steps ok${stopReason ? `; stopped: ${stopReason}` : ''}. Summary: ${join(out, 'summary.md')}`);
  for (const s of failed) console.log(`  failed: ${s.name}\n    ${(s.tail ?? '').replace(/\n/g, '\n    ')}`);
  process.exit(stopReason ? 3 : failed.length ? 1 : 0);
}
