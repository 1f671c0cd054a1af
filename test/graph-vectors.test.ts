// graph_vectors.json (SpikingJelly, float64): SEW BasicBlocks with ADD and IAND, and a
// LinearRecurrentContainer around PLIF, on cpu, wasm and webgpu (each through its provider, with
// spikeflow's fused neuron kernels). A backend that cannot run here is skipped, saying why.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BackendProvider } from '@spikeflow/core';
import { neuronImplementation } from '@spikeflow/core/backend';
import { caseName, graphCaseErrors, graphTolerance, graphVectors } from '@spikeflow/test-support/graph-vectors';
import './setup.js';

const backends = ['@spikeflow/backend-cpu', '@spikeflow/backend-wasm', '@spikeflow/backend-webgpu'];

for (const pkg of backends) {
  describe(`graph_vectors.json on ${pkg}`, () => {
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

    for (const c of graphVectors.cases) {
      it(`${caseName(c)}: output and loss within 1e-6, every gradient within 1e-4`, async (ctx) => {
        if (skip) return ctx.skip();
        expect(await tf.setBackend(tfjsBackend)).toBe(true);
        const errors = await graphCaseErrors(c, (net) => {
          for (const l of net.layers) if (l.kind === 'neuron') expect(neuronImplementation(l.neuron)).toBe('fused');
        });
        expect(Object.keys(errors).length).toBe(c.kind === 'sew' ? 16 : 8);
        for (const [what, err] of Object.entries(errors)) expect(err, `${pkg} ${caseName(c)} ${what}`).toBeLessThan(graphTolerance(what));
      }, 120_000);
    }
  });
}
