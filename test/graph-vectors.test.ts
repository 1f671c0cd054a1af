// graph_vectors.json (SpikingJelly, float64): SEW BasicBlocks with ADD and IAND, and a
// LinearRecurrentContainer around PLIF; graph_vectors_more.json (test/python/graph_vectors_more.py):
// a SEW BasicBlock with AND, Spikformer's spiking self-attention block and the attention preset's
// block. On cpu, wasm and webgpu (each through its provider, with spikeflow's fused neuron kernels).
// A backend that cannot run here is skipped, saying why.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BackendProvider } from '@spikeflow/core';
import { neuronImplementation } from '@spikeflow/core/backend';
import { caseName, graphCaseCheckCount, graphCaseErrors, graphTolerance, graphVectors, graphVectorsMore } from '@spikeflow/test-support/graph-vectors';
import { repoRoot } from '@spikeflow/test-support/workspaces';
import './setup.js';

describe('graph_vectors_more.json comes from its committed generator', () => {
  it('names the script and the command that wrote it, and the script writes that file', () => {
    const { script, command } = graphVectorsMore.generator;
    expect(script).toBe('test/python/graph_vectors_more.py');
    expect(existsSync(join(repoRoot, script)), `${script} is committed`).toBe(true);
    expect(command).toBe(`PYTHONPATH=/opt/sj /usr/bin/python3 ${script} test/fixtures/graph_vectors_more.json`);
    // The script's own command line is the one the file records.
    expect(readFileSync(join(repoRoot, script), 'utf8')).toContain('COMMAND = f"PYTHONPATH=/opt/sj /usr/bin/python3 {SCRIPT} test/fixtures/graph_vectors_more.json"');
    expect(graphVectorsMore.cases.map(caseName)).toEqual(['sew AND', 'attention spikformer', 'attention preset']);
  });
});

const backends = ['@spikeflow/backend-cpu', '@spikeflow/backend-wasm', '@spikeflow/backend-webgpu'];

for (const pkg of backends) {
  describe(`graph vectors on ${pkg}`, () => {
    let skip: string | undefined;
    let tfjsBackend = '';
    beforeAll(async () => {
      try {
        const { provider } = (await import(pkg)) as { provider: BackendProvider<any> };
        const candidate = (await provider.probe()).sort((a, b) => b.preference - a.preference).find((c) => c.available);
        if (!candidate) skip = `no ${pkg} candidate runs here; it runs on: ${provider.capabilities.runsWhere}`;
        else tfjsBackend = (await provider.setup({ ...candidate.options })).tfjsBackend;
      } catch (e) {
        skip = `${pkg} could not start: ${(e as Error).message.split('\n')[0]}`;
      }
      if (skip) console.log(`\n*** graph vectors on ${pkg} SKIPPED: ${skip} ***\n`);
    }, 120_000);

    const files = { 'graph_vectors.json': graphVectors, 'graph_vectors_more.json': graphVectorsMore };
    for (const [file, c] of Object.entries(files).flatMap(([file, v]) => v.cases.map((c) => [file, c] as const))) {
      it(`${file} ${caseName(c)}: output and loss within 1e-6, every gradient within 1e-4`, async (ctx) => {
        if (skip) return ctx.skip();
        expect(await tf.setBackend(tfjsBackend)).toBe(true);
        const errors = await graphCaseErrors(c, (net) => {
          for (const l of net.layers) if (l.kind === 'neuron') expect(neuronImplementation(l.neuron)).toBe('fused');
          // Every trainable variable has its reference gradient (output and loss are the other two checks).
          expect(net.trainableVariables().length).toBe(graphCaseCheckCount(c) - 2);
        });
        expect(Object.keys(errors).length).toBe(graphCaseCheckCount(c));
        for (const [what, err] of Object.entries(errors)) expect(err, `${pkg} ${caseName(c)} ${what}`).toBeLessThan(graphTolerance(what));
      }, 120_000);
    }
  });
}
