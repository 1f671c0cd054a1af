// The conformance suite every backend runs. A backend is its package name in the list given to
// backendConformance(); one that cannot run here is skipped with the reason and where it does run.
//   - neuron vectors, network vectors, catalogue vectors (when the fixture and its neurons exist);
//   - a training smoke test;
//   - a tensor-and-buffer leak check over 200 training steps;
//   - checkpoints: each backend saves one, and loads and evaluates every one saved before it on
//     the other backends (the list runs in order, in one process).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, loadCheckpoint, registry, use, saveCheckpoint, Trainer, type AnyPlugin, type BackendCandidate, type BackendProvider, type BackendReport } from '@spikeflow/core';
import { runNeuronCase, type NeuronVectorFile } from '@spikeflow/core/backend';
import { syntheticDataset } from '@spikeflow/datasets';
import { fileHandler } from '@spikeflow/core/node';
import type { ModelSpec } from '@spikeflow/spec';
import { networkVectorErrors } from '@spikeflow/test-support/network-vectors';
import './setup.js';

// The catalogue's neurons, so that its vectors run (QIF, EIF, Izhikevich with a second state
// variable). Imported by a computed name: test/custom-neuron.test.ts declares a neuron kind of the
// same name for the type checker, and both declarations in one program would collide.
const extraPackage = '@spikeflow/neurons-extra';
const extra = (await import(extraPackage)) as { extraNeurons: AnyPlugin[]; extraSurrogates: AnyPlugin[] };
use(extra.extraNeurons, extra.extraSurrogates);

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
const readVectors = (name: string): NeuronVectorFile => JSON.parse(readFileSync(fixture(name), 'utf8'));

const plif = { kind: 'neuron', neuron: 'plif', initTau: 2, detachReset: true, surrogate: { kind: 'atan', alpha: 2 } } as const;
/** Small enough for the cpu backend; every layer kind the paper's networks use. */
export const smokeSpec: ModelSpec = {
  name: 'conformance-smoke',
  input: { shape: [8, 8, 1] },
  timeSteps: 4,
  layers: [
    { kind: 'conv2d', filters: 6, kernelSize: 3, useBias: false },
    { kind: 'batchNorm' },
    plif,
    { kind: 'pool', pool: 'max', size: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: 16, useBias: false },
    plif,
    { kind: 'voting', groups: 4 },
  ],
};

interface SavedCheckpoint {
  backend: string;
  dir: string;
  /** Firing rates of the evaluation batch on the backend that saved it. */
  rates: Float32Array;
}
const saved: SavedCheckpoint[] = [];
const evalBatch = () => syntheticDataset({ numClasses: 4, shape: [8, 8, 1], samples: 16, seed: 99 });

async function evaluate(net: ReturnType<typeof build>): Promise<Float32Array> {
  const { x, labels } = evalBatch();
  const rate = net.predict(x);
  const values = (await rate.data()) as Float32Array;
  tf.dispose([x, labels, rate]);
  return values;
}

/** The best candidate that can run here, or undefined with the reasons none can. */
async function pickCandidate(provider: BackendProvider<any>): Promise<{ candidate?: BackendCandidate; reasons: string[] }> {
  const candidates = (await provider.probe()).sort((a, b) => b.preference - a.preference);
  return { candidate: candidates.find((c) => c.available), reasons: candidates.map((c) => `${c.label}: ${c.reason ?? 'available'}`) };
}

/** Registers the suite for each backend package, in order. */
export function backendConformance(packages: string[]): void {
  for (const pkg of packages) describeBackend(pkg);
}

function describeBackend(pkg: string): void {
  // Resolved before the tests are collected, so an unavailable backend is skipped (and says why).
  const state: { provider?: BackendProvider<any>; candidate?: BackendCandidate; skip?: string; report?: BackendReport } = {};
  const ready = (async () => {
    try {
      const mod = (await import(pkg)) as { provider: BackendProvider<any> };
      state.provider = mod.provider;
      const { candidate, reasons } = await pickCandidate(mod.provider);
      state.candidate = candidate;
      if (!candidate) state.skip = `${pkg} cannot run here:\n  ${reasons.join('\n  ')}\nIt runs on: ${mod.provider.capabilities.runsWhere}.`;
    } catch (e) {
      state.skip = `${pkg} could not be imported: ${(e as Error).message.split('\n')[0]}`;
    }
  })();

  describe(`conformance: ${pkg}`, () => {
    beforeAll(async () => {
      await ready;
      if (state.skip) {
        console.log(`\n*** conformance ${pkg} SKIPPED ***\n${state.skip}\n`);
        return;
      }
      state.report = await state.provider!.setup({ ...state.candidate!.options });
      console.log(`conformance ${pkg} on ${state.candidate!.label}: ${state.report.device}, ${state.report.execution}, ${state.report.threads} threads`);
    });
    /** Makes this backend current again (an earlier describe block may have switched). */
    const current = async (ctx: { skip: () => void }) => {
      if (state.skip) return ctx.skip();
      await tf.setBackend(state.report!.tfjsBackend);
    };

    it('setup() reports the contract\'s shape', async (ctx) => {
      await current(ctx);
      const r = state.report!;
      expect(r.backend).toBe(state.provider!.name);
      expect(r.tfjsBackend).toBe(state.provider!.capabilities.tfjsBackend);
      expect(tf.getBackend()).toBe(r.tfjsBackend);
      expect(['hardware', 'software']).toContain(r.execution);
      expect(r.threads).toBeGreaterThanOrEqual(1);
      expect(r.fusedKernels).toContain('SpikeflowNeuron');
      expect(r.device.length).toBeGreaterThan(0);
    });

    it('neuron_vectors.json: every case through the fused op', async (ctx) => {
      await current(ctx);
      for (const c of readVectors('neuron_vectors.json').cases) {
        const r = await runNeuronCase(c);
        expect(r.ran, c.name).toBe(`${state.report!.tfjsBackend}/fused`);
        expect(r.failures, c.name).toEqual([]);
      }
    });

    it('network_vectors.json: output, loss and every gradient within 1e-4', async (ctx) => {
      await current(ctx);
      const errors = await networkVectorErrors();
      expect(Object.keys(errors)).toHaveLength(8);
      for (const [what, err] of Object.entries(errors)) expect(err, what).toBeLessThan(1e-4);
    });

    it('catalogue_vectors.json: every case whose neuron is registered', async (ctx) => {
      await current(ctx);
      if (!existsSync(fixture('catalogue_vectors.json'))) {
        console.log('catalogue vectors SKIPPED: test/fixtures/catalogue_vectors.json is not in this checkout');
        return ctx.skip();
      }
      const cases = readVectors('catalogue_vectors.json').cases;
      const runnable = cases.filter((c) => registry.neurons.has(c.config.neuron));
      const missing = cases.filter((c) => !registry.neurons.has(c.config.neuron)).map((c) => `${c.name} (neuron "${c.config.neuron}" is not registered)`);
      if (missing.length) console.log(`catalogue vectors not run on ${pkg}: ${missing.join(', ')}`);
      if (!runnable.length) return ctx.skip();
      for (const c of runnable) {
        const r = await runNeuronCase(c);
        expect(r.failures, `${c.name} [${r.ran}]`).toEqual([]);
      }
    });

    let trained: { net: ReturnType<typeof build>; trainer: Trainer } | undefined;

    it('trains: the loss falls and both PLIF layers learn their tau', async (ctx) => {
      await current(ctx);
      const { x, labels } = syntheticDataset({ numClasses: 4, shape: [8, 8, 1], samples: 32, seed: 1 });
      const net = build(smokeSpec, { seed: 3 });
      const trainer = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 2e-2 } });
      const before = await net.neuronParameters();
      const losses: number[] = [];
      for (let i = 0; i < 12; i++) {
        const { loss, rate } = trainer.trainStep(x, labels);
        losses.push((await loss.data())[0]);
        tf.dispose([loss, rate]);
      }
      const after = await net.neuronParameters();
      tf.dispose([x, labels]);
      for (const l of losses) expect(Number.isFinite(l)).toBe(true);
      expect(losses.at(-1)!, `losses ${losses.map((l) => l.toFixed(4)).join(' ')}`).toBeLessThan(losses[0]);
      for (const layer of Object.keys(before)) expect(Math.abs(after[layer].w - before[layer].w), `${layer} w moved`).toBeGreaterThan(1e-4);
      trained = { net, trainer };
    });

    it('leaks no tensor and no backend buffer over 200 training steps', async (ctx) => {
      await current(ctx);
      const { x, labels } = syntheticDataset({ numClasses: 4, shape: [8, 8, 1], samples: 4, seed: 5 });
      const net = build(smokeSpec, { seed: 4 });
      const trainer = new Trainer(net, { optimizer: { kind: 'sgd', learningRate: 1e-3, momentum: 0.9 } });
      const step = async () => {
        const { loss, rate } = trainer.trainStep(x, labels);
        await loss.data(); // wait for the step, as a training loop reading its metrics does
        tf.dispose([loss, rate]);
      };
      for (let i = 0; i < 3; i++) await step(); // optimiser slots and kernel caches appear here
      const start = tf.memory();
      for (let i = 0; i < 200; i++) await step();
      const end = tf.memory();
      expect(end.numTensors, 'tensors').toBe(start.numTensors);
      expect(end.numDataBuffers, 'backend data buffers').toBe(start.numDataBuffers);
      expect(end.numBytes, 'bytes held by tensors').toBe(start.numBytes);
      trainer.dispose();
      net.dispose();
      tf.dispose([x, labels]);
    });

    it('saves a checkpoint, and evaluates every checkpoint saved on the backends before it', async (ctx) => {
      await current(ctx);
      if (!trained) throw new Error('the training test did not leave a network');
      const dir = mkdtempSync(join(tmpdir(), `spikeflow-conformance-${state.provider!.name}-`));
      await saveCheckpoint(trained.net, fileHandler(dir), { trainer: trained.trainer });
      const rates = await evaluate(trained.net);
      // Loaded here, it evaluates exactly as the network it was saved from.
      const same = await loadCheckpoint(fileHandler(dir));
      expect(Array.from(await evaluate(same.network))).toEqual(Array.from(rates));
      same.network.dispose();
      for (const other of saved) {
        const loaded = await loadCheckpoint(fileHandler(other.dir));
        const here = await evaluate(loaded.network);
        loaded.network.dispose();
        let differ = 0;
        for (let i = 0; i < here.length; i++) if (here[i] !== other.rates[i]) differ++;
        console.log(`checkpoint saved on ${other.backend}, evaluated on ${state.provider!.name}: ${differ} of ${here.length} firing rates differ`);
        expect(differ, `checkpoint from ${other.backend}`).toBe(0);
      }
      saved.push({ backend: state.provider!.name, dir, rates });
      trained.trainer.dispose();
      trained.net.dispose();
    });
  });
}
