// The conformance runner's own reliability: it fails loudly on files or cases that would check
// nothing, and --generate refuses to write nothing (generation itself: test/catalogue/generate-cli.test.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateConformance, runConformance } from '../src/index.js';
import type { NeuronVectorFile } from '@spikeflow/core/backend';

const dir = mkdtempSync(join(tmpdir(), 'spikeflow-conformance-'));
const neuronVectors = fileURLToPath(new URL('../../../test/fixtures/neuron_vectors.json', import.meta.url));
const bin = fileURLToPath(new URL('../bin/spikeflow-conformance.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));
const write = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
};
const quiet = { backend: 'cpu', plugins: [], log: () => {} };

describe('spikeflow-conformance refuses to check nothing', () => {
  it('a file with no cases is an error naming the file', async () => {
    const path = write('empty.json', { cases: [] });
    await expect(runConformance({ ...quiet, vectors: path })).rejects.toThrow(`--vectors: ${path} has no cases ("cases" is empty): nothing would be checked`);
  });
  it('a case whose expected arrays are empty or missing fails, saying which', async () => {
    const file: NeuronVectorFile = JSON.parse(readFileSync(neuronVectors, 'utf8'));
    const [first] = file.cases;
    const path = write('hollow.json', {
      cases: [
        { ...first, name: 'no-spikes', spikes: [] },
        { ...first, name: 'no-v', v: undefined },
        { ...first, name: 'no-gradX', gradX: [[]] },
        first,
      ],
    });
    const results = await runConformance({ ...quiet, vectors: path });
    expect(results.map((r) => r.pass)).toEqual([false, false, false, true]);
    expect(results[0].failures).toContain('malformed case: "spikes" is empty or not an array');
    expect(results[1].failures).toContain('malformed case: "v" is missing');
    expect(results[2].failures[0]).toMatch(/malformed case: "gradX" must be \d+ rows of \d+ numbers/);
  });
  it.skipIf(!built)('the bin exits 2 on a file with no cases and 1 on a failing case', () => {
    const empty = spawnSync(process.execPath, [bin, '--vectors', write('empty2.json', { cases: [] })], { encoding: 'utf8' });
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('has no cases');
    const file: NeuronVectorFile = JSON.parse(readFileSync(neuronVectors, 'utf8'));
    const hollow = spawnSync(process.execPath, [bin, '--vectors', write('hollow2.json', { cases: [{ ...file.cases[0], spikes: [] }] })], { encoding: 'utf8' });
    expect(hollow.status).toBe(1);
    expect(hollow.stdout).toContain('FAIL');
  });
});

describe('--generate', () => {
  it('needs --plugins, and a module that exports plugins', async () => {
    await expect(generateConformance({ out: join(dir, 'x.json'), plugins: [], backend: 'cpu', log: () => {} })).rejects.toThrow('--generate needs --plugins MODULE');
    await expect(generateConformance({ out: join(dir, 'x.json'), plugins: ['node:path'], backend: 'cpu', log: () => {} })).rejects.toThrow('--plugins: "node:path" exports no plugin');
  });
});
