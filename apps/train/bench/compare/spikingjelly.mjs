// SpikingJelly's row of the CSNN training benchmark: found through python3 when torch and
// spikingjelly import, else skipped with the reason and where it does run.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const SPIKINGJELLY_SCRIPT = fileURLToPath(new URL('../spikingjelly_csnn.py', import.meta.url));

/** Says where the row runs, for the skip message. */
export const WHERE_IT_RUNS = `it runs where \`python3 -c "import torch, spikingjelly"\` succeeds (pip install torch spikingjelly), ` +
  'or with --python PATH (SPIKEFLOW_PYTHON) naming such an interpreter';

/** Whether `python` can import torch and spikingjelly: { available, reason? }. */
export function probeSpikingJelly(python) {
  const r = spawnSync(python, ['-c', 'import torch, spikingjelly'], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) return { available: false, reason: `${python} could not run (${r.error.code ?? r.error.message})` };
  if (r.status !== 0) {
    const last = (r.stderr ?? '').trim().split('\n').pop() || `exit ${r.status}`;
    return { available: false, reason: `${python} cannot import torch and spikingjelly (${last})` };
  }
  return { available: true };
}

/** The one `RESULT {json}` line a benchmark child prints, parsed; undefined when there is none. */
export function parseResultLine(stdout) {
  const line = (stdout ?? '').split('\n').find((l) => l.startsWith('RESULT '));
  return line ? JSON.parse(line.slice('RESULT '.length)) : undefined;
}

/** Runs the Python script once: a result row, or { error } saying what went wrong. */
export function runSpikingJelly(python, { steps, threads } = {}) {
  const args = [SPIKINGJELLY_SCRIPT];
  if (steps !== undefined) args.push('--steps', String(steps));
  if (threads !== undefined) args.push('--threads', String(threads));
  const r = spawnSync(python, args, { encoding: 'utf8', timeout: 900_000 });
  const result = parseResultLine(r.stdout);
  if (result) return result;
  const last = ((r.stderr ?? '').trim().split('\n').pop() || `exit ${r.status}`).slice(0, 200);
  return { framework: 'spikingjelly', error: last };
}
