// The flags of the CSNN training benchmark (backends.bench.mjs), checked up front so a typo fails
// in a second with the flag's name rather than after minutes of benchmarking.
import { parseArgs } from 'node:util';

export const KNOWN_BACKENDS = ['wasm', 'cpu', 'webgpu'];

const positiveInt = (flag, value) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: expected an integer >= 1, got "${value}"`);
  return n;
};

/**
 * Parses argv (without node and the script). Throws an Error naming the flag on bad input.
 * `--backends none` runs SpikingJelly's row alone.
 */
export function parseCompareArgs(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        backends: { type: 'string', default: KNOWN_BACKENDS.join(',') },
        rounds: { type: 'string', default: '2' },
        steps: { type: 'string' },
        threads: { type: 'string' },
        python: { type: 'string', default: process.env.SPIKEFLOW_PYTHON ?? 'python3' },
        'no-spikingjelly': { type: 'boolean', default: false },
        save: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new Error(`${e.message.split('\n')[0]}; flags: --backends LIST, --rounds N, --steps N, --threads N, --python PATH, --no-spikingjelly, --save`, { cause: e });
  }
  const backends = values.backends === 'none' ? [] : values.backends.split(',').map((b) => b.trim()).filter(Boolean);
  for (const b of backends) {
    if (!KNOWN_BACKENDS.includes(b)) throw new Error(`--backends: unknown backend "${b}"; known: ${KNOWN_BACKENDS.join(', ')}, or none`);
  }
  if (values.backends !== 'none' && backends.length === 0) throw new Error('--backends: empty list (use "none" for the SpikingJelly row alone)');
  return {
    backends,
    rounds: positiveInt('--rounds', values.rounds),
    steps: values.steps === undefined ? undefined : positiveInt('--steps', values.steps),
    threads: values.threads === undefined ? undefined : positiveInt('--threads', values.threads),
    python: values.python,
    spikingjelly: !values['no-spikingjelly'],
    save: values.save,
  };
}
