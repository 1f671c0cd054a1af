// Ranking backends must not print Dawn's startup warnings: Dawn writes them natively (out of reach of
// process.stderr) the first time an instance lists the adapters. So in Node the adapter is asked
// for in a child process, whose stderr is kept and printed only outside tfjs's production mode; this
// process meets Dawn only if WebGPU is then chosen.
import * as tf from '@tensorflow/tfjs';
import { DAWN_LOG_LINE, nodeBuiltin } from './native-stderr.js';

/** What the child reports of the adapter: the fields describeAdapter() reads. */
export interface ProbedAdapter {
  info: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

const CHILD = `
const { create } = await import(process.argv[1]);
const a = await create([]).requestAdapter({ powerPreference: 'high-performance' });
const i = a?.info ?? {};
const found = a ? { info: { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, isFallbackAdapter: i.isFallbackAdapter }, isFallbackAdapter: a.isFallbackAdapter } : null;
process.stdout.write(JSON.stringify({ found }));
process.exit(0);
`;

/** Resolves to the adapter Dawn offers (null: none); rejects with a one-line reason. */
export async function probeDawnAdapterInChild(timeoutMs = 60_000): Promise<ProbedAdapter | null> {
  const { createRequire } = await nodeBuiltin<typeof import('node:module')>('module');
  const { pathToFileURL } = await nodeBuiltin<typeof import('node:url')>('url');
  const { execFile } = await nodeBuiltin<typeof import('node:child_process')>('child_process');
  let webgpuUrl: string;
  try {
    webgpuUrl = pathToFileURL(createRequire(import.meta.url).resolve('webgpu')).href;
  } catch (e) {
    throw new Error(`@spikeflow/backend-webgpu: in Node, WebGPU needs the package "webgpu" (Dawn): npm install webgpu@0.6.2 (${(e as Error).message.split('\n')[0]})`, { cause: e });
  }
  const { stdout, stderr, error } = await new Promise<{ stdout: string; stderr: string; error: Error | null }>((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', CHILD, webgpuUrl], { timeout: timeoutMs, encoding: 'utf8' }, (err, out, errText) => resolve({ stdout: out, stderr: errText, error: err }));
  });
  const lines = stderr.split('\n').filter((l) => l !== '');
  const quiet = tf.env().getBool('PROD');
  const shown = quiet ? lines.filter((l) => !DAWN_LOG_LINE.test(l)) : lines;
  if (shown.length > 0 && !error) process.stderr.write(shown.join('\n') + '\n');
  if (error) {
    const why = lines.find((l) => !DAWN_LOG_LINE.test(l) && /error/i.test(l)) ?? lines.find((l) => !DAWN_LOG_LINE.test(l)) ?? error.message.split('\n')[0];
    throw new Error(`Dawn's adapter query failed: ${why}`);
  }
  return (JSON.parse(stdout) as { found: ProbedAdapter | null }).found;
}
