// The page the browser NIR script loads: writes and reads NIR files (h5wasm) inside the browser.
import * as tf from '@tensorflow/tfjs';
import { build, use } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
import { buildModel, chainOf, exportNir, foldBatchNorm, importNir, readModel, readNir } from '@spikeflow/nir';

use(neurons, surrogates, pools);

const spec = {
  input: { shape: [6, 6, 1] },
  timeSteps: 4,
  layers: [
    { kind: 'conv2d', filters: 3, kernelSize: 3 },
    { kind: 'batchNorm' },
    { kind: 'neuron', neuron: 'plif' },
    { kind: 'pool', pool: 'max', size: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: 4 },
    { kind: 'neuron', neuron: 'lif', tau: 2.5 },
    { kind: 'voting', groups: 2 },
  ],
};

/** Round trip in the page, and a fixture (bytes from the caller) read in the page. */
globalThis.runNir = async (fixtureBytes) => {
  await tf.setBackend('cpu');
  const net = build(spec, { seed: 3 });
  const bytes = await exportNir(net, { maxPool: 'spike-or' });
  const back = buildModel(await importNir(bytes));
  const folded = buildModel(foldBatchNorm(await readModel(net)));
  const x = tf.randomUniform([2, 6, 6, 1], 0, 2, 'float32', 1);
  const a = Array.from(await folded.forward(x).output.data());
  const b = Array.from(await back.forward(x).output.data());
  const graph = await readNir(new Uint8Array(fixtureBytes), 'conv_lif.nir');
  return {
    userAgent: globalThis.navigator.userAgent,
    exportedBytes: bytes.length,
    roundTripEqual: a.length > 0 && a.every((v, i) => v === b[i]),
    fixtureChain: chainOf(graph).map((n) => graph.nodes[n].type),
    fixtureVersion: graph.version,
  };
};
globalThis.pageReady = true;
