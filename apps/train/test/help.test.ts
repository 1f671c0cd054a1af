// The command list and per-command usage: `spikeflow`, `spikeflow --help`, `spikeflow help [COMMAND]`,
// `spikeflow COMMAND --help`; and what the binary prints besides its own lines.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS, main, UsageError } from '../src/index.js';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(app, 'bin', 'spikeflow.js');
const built = existsSync(join(app, 'dist', 'index.js'));
if (!built) console.warn('help.test.ts: the binary tests are skipped, apps/train/dist is missing; `npm test` builds it first (or run `npm run build:packages`).');

/** Every command of the CLI today, one file or more in src/commands/ each. */
const EXPECTED = ['train', 'eval', 'experiment', 'export', 'import', 'inspect', 'presets', 'report'];

async function output(argv: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await main(argv, (l) => lines.push(l));
  return { code, text: lines.join('\n') };
}

describe('the command list', () => {
  it('is read from the command files: every command, train first', () => {
    expect(COMMANDS.map((c) => c.name).sort()).toEqual([...EXPECTED].sort());
    expect(COMMANDS[0].name).toBe('train');
  });

  it('spikeflow, spikeflow --help and spikeflow help print it, one line per command, exit 0', async () => {
    const bare = await output([]);
    expect(bare.code).toBe(0);
    for (const argv of [['--help'], ['-h'], ['help']]) expect(await output(argv), argv.join(' ')).toEqual(bare);
    const lines = bare.text.split('\n');
    for (const c of COMMANDS) {
      expect(c.summary, c.name).not.toContain('\n');
      expect(lines.filter((l) => l.startsWith(`  ${c.name} `)), c.name).toEqual([expect.stringMatching(new RegExp(`^  ${c.name} +${c.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`))]);
    }
    expect(bare.text).toMatch(/^usage: spikeflow COMMAND \[flags\]$/m);
    expect(bare.text).toContain('spikeflow help COMMAND');
    // The list, not one command's flags.
    expect(bare.text).not.toContain('--preset');
  });

  it('spikeflow help COMMAND and spikeflow COMMAND --help print that command\'s usage', async () => {
    const help = await output(['help', 'export']);
    expect(help.code).toBe(0);
    expect(help.text).toMatch(/^spikeflow export: write a checkpoint as a NIR file/);
    expect(help.text).toMatch(/^usage: spikeflow export --checkpoint DIR --format nir OUT\.nir/m);
    expect(await output(['export', '--help'])).toEqual(help);
    expect((await output(['help', 'train'])).text).toMatch(/^usage: spikeflow train \[--preset NAME\]/m);
  });

  it('an unknown command after help, or flags with no command, is a usage error that says what to do', async () => {
    await expect(main(['help', 'exprot'], () => {})).rejects.toThrow(/unknown command "exprot"; known: .*\(did you mean "export"\?\)/);
    await expect(main(['help', 'train', 'eval'], () => {})).rejects.toThrow(UsageError);
    await expect(main(['--epochs', '3'], () => {})).rejects.toThrow('--epochs needs a command first, e.g. `spikeflow train --epochs 3`');
  });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function spikeflow(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** tfjs's startup messages: the Node backend advert (a ==== box), platform and flag notices. */
const TFJS_BANNER = /looks like you are running TensorFlow\.js in Node|={10}|Platform \w+ has already been set|Setting feature override/;

describe.skipIf(!built)('the spikeflow binary', () => {
  it('bare: prints the command list and exits 0 without training', async () => {
    const r = await spikeflow([]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^commands:$/m);
    expect(r.stdout).toMatch(/^ {2}export +write a checkpoint as a NIR file/m);
    expect(r.stdout).not.toContain('spikeflow train:');
    expect(r.stderr).toBe('');
  });

  it('no tfjs banner unless --verbose', async () => {
    const out = mkdtempSync(join(tmpdir(), 'spikeflow-quiet-'));
    const args = ['train', '--preset', 'synthetic', '--backend', 'cpu', '--time-steps', '1', '--batch-size', '4', '--train-limit', '4', '--test-limit', '4', '--epochs', '1', '--progress', 'none', '--no-report'];
    const [quiet, verbose] = await Promise.all([spikeflow([...args, '--out', join(out, 'quiet')]), spikeflow([...args, '--verbose', '--out', join(out, 'verbose')])]);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout).toContain('spikeflow train: preset synthetic on cpu');
    expect(quiet.stdout + quiet.stderr).not.toMatch(TFJS_BANNER);
    // The same run with --verbose shows tfjs's own advert for its Node backend: the check above can fail.
    expect(verbose.code, verbose.stderr).toBe(0);
    expect(verbose.stdout + verbose.stderr).toMatch(/looks like you are running TensorFlow\.js in Node/);
  }, 300_000);

  // Dawn (npm webgpu) prints two "artificially reduced" warnings natively when it first lists the
  // adapters, which --backend auto does to rank WebGPU.
  it('no Dawn warning unless --verbose', async (ctx) => {
    const out = mkdtempSync(join(tmpdir(), 'spikeflow-dawn-'));
    // T=1: the warnings come when the adapters are listed, before any training.
    const args = ['train', '--preset', 'synthetic', '--backend', 'auto', '--train-limit', '16', '--test-limit', '8', '--time-steps', '1', '--epochs', '1', '--progress', 'none', '--no-report'];
    // --backend webgpu meets Dawn in this process; its stderr a pipe (Node's own 'pipe' is a socket, which cannot be reopened by path).
    const webgpuArgs = ['train', '--preset', 'synthetic', '--backend', 'webgpu', '--train-limit', '8', '--test-limit', '8', '--batch-size', '8', '--time-steps', '1', '--epochs', '1', '--progress', 'none', '--no-report', '--out', join(out, 'webgpu')];
    const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
    const throughPipe = new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn('sh', ['-c', `${[process.execPath, bin, ...webgpuArgs].map(quote).join(' ')} 2>&1 | cat`], { stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
    const [quiet, verbose, inProcess] = await Promise.all([spikeflow([...args, '--out', join(out, 'quiet')]), spikeflow([...args, '--verbose', '--out', join(out, 'verbose')]), throughPipe]);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(verbose.code, verbose.stderr).toBe(0);
    if (!/node-dawn/.test(verbose.stdout)) {
      console.warn('help.test.ts: no Dawn adapter here (npm webgpu and a Vulkan driver), so no Dawn warning to hide; the check runs where Dawn finds one, e.g. Mesa lavapipe');
      ctx.skip();
    }
    const DAWN_WARNING = /artificially reduced/;
    expect(quiet.stdout + quiet.stderr).not.toMatch(DAWN_WARNING);
    expect(inProcess.output).toContain('spikeflow train: preset synthetic on webgpu');
    expect(inProcess.output).not.toMatch(DAWN_WARNING);
    // Mesa's software adapter reports limits Dawn reduces: there, --verbose shows the warnings (so the check above can fail).
    if (/llvmpipe|lavapipe/.test(verbose.stdout)) expect(verbose.stderr).toMatch(DAWN_WARNING);
  }, 300_000);
});
