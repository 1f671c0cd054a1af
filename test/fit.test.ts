import { beforeAll, describe, expect, it } from 'vitest';
import {
  build,
  evaluate,
  firingRateMonitor,
  fit,
  formatSummary,
  membraneMonitor,
  runMonitors,
  spikeRasterMonitor,
  summary,
  Trainer,
  type BatchProgress,
  type BatchStream,
  type EpochReport,
} from '@spikeflow/core';
import { syntheticDataset } from '@spikeflow/datasets';
import type { ModelSpec } from '@spikeflow/spec';
import { cpu, tf } from './setup.js';

const plif = { kind: 'neuron', neuron: 'plif', initTau: 2, detachReset: true, surrogate: { kind: 'atan', alpha: 2 } } as const;
const spec: ModelSpec = {
  name: 'fit-test',
  input: { shape: [8, 8, 1] },
  timeSteps: 4,
  layers: [
    { kind: 'conv2d', filters: 8, kernelSize: 3, useBias: false },
    { kind: 'batchNorm' },
    plif,
    { kind: 'pool', pool: 'max', size: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: 40, useBias: false },
    plif,
    { kind: 'voting', groups: 4 },
  ],
};

/** A synthetic 4-class task as a stream; counts the tensors it hands out. */
function stream(samples: number, seed: number, batch = 32): BatchStream & { made: number } {
  const s = {
    made: 0,
    size: samples,
    batchesPerEpoch: Math.ceil(samples / batch),
    *batches(epoch: number) {
      const { x, labels } = syntheticDataset({ numClasses: 4, shape: [8, 8, 1], samples, seed: seed + epoch, taskSeed: 3 });
      for (let i = 0; i < samples; i += batch) {
        const n = Math.min(batch, samples - i);
        s.made++;
        yield { xs: x.slice([i], [n]), ys: labels.slice([i], [n]) };
      }
      tf.dispose([x, labels]);
    },
  };
  return s;
}

describe('fit / evaluate (cpu)', () => {
  beforeAll(cpu);

  it('trains with callbacks, validates every epoch, and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const net = build(spec, { seed: 7 });
    const trainer = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 1e-2 }, schedule: { kind: 'cosine', tMax: 4 } });
    const progress: BatchProgress[] = [];
    const epochs: EpochReport[] = [];
    const result = await fit(trainer, stream(256, 1), {
      epochs: 4,
      validation: stream(128, 100),
      readEvery: 4,
      onBatchEnd: (p) => void progress.push(p),
      onEpochEnd: (r) => void epochs.push(r),
    });
    expect(result.stopReason).toBe('completed');
    expect(result.epochs).toEqual(epochs);
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(epochs.every((e) => e.complete && e.samples === 256 && e.batches === 8)).toBe(true);
    // The per-epoch schedule: lr(e) = 1e-2 (1 + cos(pi e / 4)) / 2.
    expect(epochs.map((e) => e.learningRate)).toEqual([0, 1, 2, 3].map((e) => (1e-2 * (1 + Math.cos((Math.PI * e) / 4))) / 2));
    expect(progress).toHaveLength(32);
    expect(progress[7]).toMatchObject({ epoch: 0, batch: 8, samples: 256, samplesPerEpoch: 256, step: 8 });
    // Loss and accuracy are read every 4 steps only: before the first read they are unknown.
    expect(progress[0].loss).toBeNaN();
    expect(progress[3].loss).toBeGreaterThan(0);
    const last = epochs.at(-1)!;
    expect(last.validation!.accuracy).toBeGreaterThan(0.9);
    expect(last.validation!.samples).toBe(128);
    expect(last.validation!.warnings).toEqual([]);
    expect(last.trainLoss).toBeLessThan(epochs[0].trainLoss);
    expect(last.neurons.neuron0.tau).toBeGreaterThan(1);
    trainer.dispose();
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops on abort after the current step and reports the epoch so far', async () => {
    const net = build(spec, { seed: 7 });
    const trainer = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 1e-2 } });
    const controller = new AbortController();
    const ends: EpochReport[] = [];
    const result = await fit(trainer, stream(256, 1), {
      epochs: 3,
      validation: stream(64, 100),
      onBatchEnd: (p) => {
        if (p.epoch === 1 && p.batch === 3) controller.abort();
      },
      onEpochEnd: (r) => void ends.push(r),
      signal: controller.signal,
    });
    expect(result.stopReason).toBe('aborted');
    expect(ends).toHaveLength(1);
    expect(result.interrupted).toMatchObject({ epoch: 2, complete: false, batches: 3, samples: 96 });
    expect(result.interrupted!.validation).toBeUndefined();
    expect(trainer.step).toBe(11);
    trainer.dispose();
    net.dispose();
  });

  it('skips the batches already trained when resuming mid-epoch, and stops on maxSteps', async () => {
    const net = build(spec, { seed: 7 });
    const trainer = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 1e-2 } });
    const data = stream(256, 1);
    const result = await fit(trainer, data, { epochs: 2, initialEpoch: 1, skipBatches: 5 });
    expect(result.epochs).toHaveLength(1);
    expect(result.epochs[0]).toMatchObject({ epoch: 2, batches: 8, samples: 256, complete: true });
    expect(trainer.step).toBe(3);
    const limited = await fit(trainer, data, { epochs: 5, maxSteps: 2 });
    expect(limited.stopReason).toBe('steps');
    expect(limited.epochs[0]).toMatchObject({ complete: false, batches: 2 });
    trainer.dispose();
    net.dispose();
  });

  it('anneals the learning rate over a time budget with scheduleBy step', async () => {
    const net = build(spec, { seed: 7 });
    const trainer = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 1e-2 }, schedule: { kind: 'cosine', tMax: 10 } });
    let clock = 0;
    const lrs: number[] = [];
    // Every step takes 1 "second" of a 4-second budget: the schedule must reach its end by then.
    const result = await fit(trainer, stream(256, 1), {
      epochs: 10,
      scheduleBy: 'step',
      maxSeconds: 4,
      now: () => clock,
      onBatchEnd: (p) => {
        lrs.push(p.learningRate);
        clock += 1000;
      },
    });
    expect(result.stopReason).toBe('time');
    expect(lrs).toHaveLength(4);
    expect(lrs[0]).toBeCloseTo(1e-2, 8);
    // After 3 of 4 seconds the run is 3/4 through a 10-epoch cosine: lr = 1e-2 (1 + cos(0.75 pi)) / 2.
    expect(lrs[3]).toBeCloseTo((1e-2 * (1 + Math.cos(0.75 * Math.PI))) / 2, 8);
    expect(result.epochs[0].complete).toBe(false);
    trainer.dispose();
    net.dispose();
  });

  it('warns when batch norm running statistics have not settled', async () => {
    const net = build(spec, { seed: 7 });
    const fresh = await evaluate(net, stream(32, 5));
    expect(fresh.warnings.join('\n')).toMatch(/batchNorm0's running statistics are still their start values/);
    const few = await evaluate(net, stream(32, 5), { trainedSteps: 3 });
    expect(few.warnings[0]).toMatch(/seen 3 training steps; their start values still weigh 73% \(momentum 0.1\); train at least 29 steps/);
    expect((await evaluate(net, stream(32, 5), { trainedSteps: 100 })).warnings).toEqual([]);
    expect(fresh.samples).toBe(32);
    expect(fresh.accuracy).toBeGreaterThanOrEqual(0);
    net.dispose();
  });

  it('rejects bad options by name', async () => {
    const net = build(spec, { seed: 7 });
    const trainer = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 1e-2 } });
    await expect(fit(trainer, stream(32, 1), { epochs: 0 })).rejects.toThrow('fit: epochs must be an integer >= 1, got 0');
    await expect(fit(trainer, stream(32, 1), { epochs: 1, maxSeconds: -1 })).rejects.toThrow('fit: maxSeconds must be > 0');
    await expect(fit(trainer, stream(32, 1), { epochs: 1, monitors: [firingRateMonitor()] })).rejects.toThrow(/monitorInput/);
    trainer.dispose();
    net.dispose();
  });
});

describe('monitors and summary (cpu)', () => {
  beforeAll(cpu);

  it('firing rates, a raster and membrane traces from one probe pass, with no tensor left behind', async () => {
    const net = build(spec, { seed: 7 });
    const { x: raw } = syntheticDataset({ numClasses: 4, shape: [8, 8, 1], samples: 6, seed: 9, taskSeed: 3 });
    // Stronger input than the task's, so the untrained first layer fires.
    const x = raw.mul(4);
    raw.dispose();
    const before = tf.memory().numTensors;
    const out = (await runMonitors(net, x, [firingRateMonitor(), spikeRasterMonitor({ sample: 2, maxNeurons: 10 }), membraneMonitor({ layers: ['neuron1'], maxNeurons: 3 })])) as {
      firingRate: Record<string, number>;
      raster: Record<string, { sample: number; neurons: number[]; spikes: number[][] }>;
      membrane: Record<string, { neurons: number[]; v: number[][] }>;
    };
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(out.firingRate)).toEqual(['neuron0', 'neuron1']);
    // The rate is the mean of the recorded spikes: check it against a direct forward pass.
    const { output, records } = net.forward(x, { record: ['neuron0'] });
    const direct = (await records.get('neuron0')!.spikes.mean().data())[0];
    tf.dispose([output, records.get('neuron0')!.spikes, records.get('neuron0')!.v!]);
    expect(out.firingRate.neuron0).toBeCloseTo(direct, 6);
    expect(out.firingRate.neuron0).toBeGreaterThan(0);
    expect(out.raster.neuron0.sample).toBe(2);
    expect(out.raster.neuron0.neurons).toHaveLength(10);
    expect(out.raster.neuron0.spikes).toHaveLength(4);
    expect(out.raster.neuron0.spikes.flat().every((s) => s === 0 || s === 1)).toBe(true);
    expect(Object.keys(out.membrane)).toEqual(['neuron1']);
    expect(out.membrane.neuron1.v).toHaveLength(4);
    expect(out.membrane.neuron1.v[0]).toHaveLength(3);
    await expect(runMonitors(net, x, [firingRateMonitor({ layers: ['dense0'] })])).rejects.toThrow('"dense0" is not a neuron layer of this network; neuron layers: neuron0, neuron1');
    x.dispose();
    net.dispose();
  });

  it('fit runs monitors at each epoch end', async () => {
    const net = build(spec, { seed: 7 });
    const trainer = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 1e-2 } });
    const { x } = syntheticDataset({ numClasses: 4, shape: [8, 8, 1], samples: 4, seed: 9, taskSeed: 3 });
    const result = await fit(trainer, stream(64, 1), { epochs: 2, monitors: [firingRateMonitor()], monitorInput: x });
    expect(result.epochs.map((e) => Object.keys((e.monitors as { firingRate: object }).firingRate))).toEqual([
      ['neuron0', 'neuron1'],
      ['neuron0', 'neuron1'],
    ]);
    x.dispose();
    trainer.dispose();
    net.dispose();
  });

  it('summary: layers, shapes and parameter counts', () => {
    const net = build(spec, { seed: 7 });
    const s = summary(net);
    expect(s.layers.map((l) => [l.name, l.outputShape])).toEqual([
      ['conv2d0', [8, 8, 8]],
      ['batchNorm0', [8, 8, 8]],
      ['neuron0', [8, 8, 8]],
      ['pool0', [4, 4, 8]],
      ['flatten0', [128]],
      ['dense0', [40]],
      ['neuron1', [40]],
      ['voting0', [4]],
    ]);
    // conv 3*3*1*8 = 72; BN gamma+beta 16 (+16 running statistics); PLIF w 1 each; dense 128*40 = 5120.
    expect(s.layers.map((l) => l.trainable)).toEqual([72, 16, 1, 0, 0, 5120, 1, 0]);
    expect(s.nonTrainable).toBe(16);
    expect(s.trainable).toBe(72 + 16 + 1 + 5120 + 1);
    expect(s.trainable).toBe(net.trainableVariables().reduce((a, v) => a + v.size, 0));
    const text = formatSummary(s);
    expect(text).toContain('fit-test: input [8, 8, 1], T=4, encoder direct');
    expect(text).toMatch(/dense0 +dense +\[40\] +5,120 +40 units/);
    expect(text).toContain('trainable parameters: 5,210; non-trainable: 16');
    net.dispose();
  });
});
