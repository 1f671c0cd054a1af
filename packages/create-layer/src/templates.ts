import type { LayerNames } from './names.js';

// The files of a new layer plugin package. The layer is a working example (a learned gain and
// optional offset per channel) for the author to edit: its fields, shape, variables and forward.

export function files(n: LayerNames, spikeflowRange: string): Record<string, string> {
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  return {
    'package.json': json({
      name: n.packageName,
      version: '0.1.0',
      description: `spikeflow layer plugin: ${n.kind}`,
      license: 'MIT',
      type: 'module',
      sideEffects: false,
      exports: {
        '.': { types: './dist/index.d.ts', import: './dist/index.js' },
        './example': { types: './dist/example.d.ts', import: './dist/example.js' },
        './package.json': './package.json',
      },
      main: './dist/index.js',
      types: './dist/index.d.ts',
      files: ['dist', 'src', 'README.md'],
      scripts: {
        build: 'tsc -p tsconfig.json',
        test: 'npm run build && node --test test/',
        changeset: 'changeset',
        release: 'npm run build && changeset publish',
      },
      keywords: ['spikeflow', 'spikeflow-layer', 'spiking neural network'],
      // One @spikeflow/core per application: the plugin registers with the app's own copy.
      peerDependencies: { '@spikeflow/core': spikeflowRange, '@spikeflow/spec': spikeflowRange, '@tensorflow/tfjs': '^4.22.0' },
      // Everything test/layer.test.mjs imports: the PLIF neurons of the example spec, syntheticDataset
      // for its training data, tfjs's cpu backend (in @tensorflow/tfjs).
      devDependencies: {
        '@spikeflow/core': spikeflowRange,
        '@spikeflow/spec': spikeflowRange,
        '@spikeflow/neurons': spikeflowRange,
        '@spikeflow/datasets': spikeflowRange,
        '@tensorflow/tfjs': '^4.22.0',
        '@changesets/cli': '2.31.1',
        typescript: '5.9.3',
      },
    }),
    'tsconfig.json': json({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true,
        declaration: true, sourceMap: true, outDir: 'dist', rootDir: 'src', skipLibCheck: true,
      },
      include: ['src'],
    }),
    '.gitignore': 'node_modules\ndist\n',
    'src/index.ts': `import * as tf from '@tensorflow/tfjs';
import { defineLayer } from '@spikeflow/core';
import { field, showShape, type LayerSpecBase } from '@spikeflow/spec';

/** How a spec writes this layer. The declaration at the end adds it to ModelSpec's layer kinds. */
export interface ${n.specType} extends LayerSpecBase {
  kind: '${n.kind}';
  /** Initial gain of every channel. */
  init?: number;
  /** Add a learned offset per channel. */
  useBias?: boolean;
}

/**
 * ${n.kind}: y = x * gain (+ bias), one learned gain (and offset) per channel, the last axis
 * (edit to your own layer). It works on [features] and on [height, width, channels].
 */
export const ${n.exportName} = defineLayer({
  kind: '${n.kind}',
  description: 'a learned gain (and offset) per channel, the last axis',
  // Checked by validate() with the path of any problem; the defaults are filled in before build().
  fields: {
    init: field.number({ default: 1, description: 'initial gain of every channel' }),
    useBias: field.boolean({ default: false, description: 'add a learned offset per channel' }),
  },
  // Per-sample shapes (no time or batch axis). Return { problem } to refuse an input: validation
  // reports it at this layer's path. A merge takes several inputs: add inputs: { min: 2 }.
  outputShape: ([input]) => (input.length <= 3 ? input : { problem: \`${n.kind} expects [features] or [height, width, channels], got \${showShape(input)}\` }),
  // Output at step t depends on the input at step t only, so it runs once over [T*N, ...].
  // A layer that carries state through time says false and steps through ctx.T in apply.
  stateless: true,
  build(c) {
    const channels = c.inputShape[c.inputShape.length - 1];
    // Variables are checkpointed as \`<layer name>/<param>\`, e.g. ${n.kind}0/gain.
    const gain = c.variable('gain', tf.fill([channels], c.spec.init as number));
    const bias = c.spec.useBias ? c.variable('bias', tf.zeros([channels])) : undefined;
    return {
      variables: bias ? [gain, bias] : [gain],
      // x: [T*N, ...inputShape]; the gain broadcasts over the last axis.
      apply: (x) => {
        const y = tf.mul(x, gain.variable);
        return bias ? tf.add(y, bias.variable) : y;
      },
    };
  },
  // Its line in summary() and the trainable weights the memory estimate counts.
  summary: (layer) => \`gain from \${String(layer.init)}\${layer.useBias ? ', bias' : ''}\`,
  weights: ([input], _output, layer) => input[input.length - 1] * (layer.useBias ? 2 : 1),
});

// Typed specs: { kind: '${n.kind}', init: 2 } type-checks where this package is imported, and a
// misspelt field does not.
declare module '@spikeflow/spec' {
  interface LayerKinds {
    ${n.kind}: ${n.specType};
  }
}
`,
    'src/example.ts': `import type { ModelSpec } from '@spikeflow/spec';
import '@spikeflow/neurons';
import './index.js';

/** A small network with the layer, typed: tsc checks the ${n.kind} layer's fields. */
export const exampleSpec: ModelSpec = {
  input: { shape: [8, 8, 1] },
  timeSteps: 4,
  layers: [
    { kind: 'conv2d', filters: 4, kernelSize: 3, padding: 'same' },
    { kind: '${n.kind}', init: 2, useBias: true },
    { kind: 'neuron', neuron: 'plif' },
    { kind: 'flatten' },
    { kind: 'dense', units: 20 },
    { kind: 'neuron', neuron: 'plif' },
    { kind: 'voting', groups: 4 },
  ],
};
`,
    'test/layer.test.mjs': `// The layer through spikeflow: it validates (and refuses bad fields with their path), appears in the
// JSON Schema and summary(), trains 2 steps, and a checkpoint saves and loads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { build, loadCheckpoint, parseSpec, registry, saveCheckpoint, summary, use, Trainer } from '@spikeflow/core';
import { fileHandler } from '@spikeflow/core/node';
import { syntheticDataset } from '@spikeflow/datasets';
import { neurons, surrogates } from '@spikeflow/neurons';
import { modelJsonSchema } from '@spikeflow/spec';
import { ${n.exportName} } from '../dist/index.js';
import { exampleSpec } from '../dist/example.js';

await tf.setBackend('cpu');
use(neurons, surrogates, ${n.exportName});
const layerAt = 1; // its index in exampleSpec.layers
const withLayer = (fields) => ({ ...exampleSpec, layers: exampleSpec.layers.map((l, i) => (i === layerAt ? { kind: '${n.kind}', ...fields } : l)) });

test('validates: defaults filled in, bad fields refused with their path', () => {
  const spec = parseSpec(withLayer({}));
  assert.deepEqual(spec.layers[layerAt], { kind: '${n.kind}', init: 1, useBias: false });
  assert.throws(() => parseSpec(withLayer({ init: 'x' })), /layers\\[1\\]\\.init: expected a number/);
  assert.throws(() => parseSpec(withLayer({ inti: 2 })), /layers\\[1\\]\\.inti: unknown field/);
});

test('appears in the JSON Schema of the registry', () => {
  const schema = modelJsonSchema(registry.catalog());
  const own = schema.properties.layers.items.oneOf.find((s) => s.properties.kind.const === '${n.kind}');
  assert.ok(own, 'no schema for ${n.kind}');
  assert.equal(own.properties.init.type, 'number');
  assert.equal(own.properties.useBias.type, 'boolean');
});

test('trains 2 steps, appears in summary(), saves and loads', async () => {
  const net = build(exampleSpec, { seed: 1 });
  const line = summary(net).layers[layerAt];
  assert.equal(line.kind, '${n.kind}');
  assert.equal(line.detail, 'gain from 2, bias');
  assert.equal(line.trainable, 8); // 4 channels: gain and bias
  const data = syntheticDataset({ numClasses: 4, shape: [8, 8, 1], samples: 16, seed: 2 });
  const trainer = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 1e-2 } });
  for (let i = 0; i < 2; i++) {
    const { loss, rate } = trainer.trainStep(data.x, data.labels);
    assert.ok(Number.isFinite((await loss.data())[0]), 'loss is finite');
    tf.dispose([loss, rate]);
  }
  const gain = async (network) => Array.from(await network.namedVariables().find((v) => v.name === '${n.kind}0/gain').variable.data());
  const trained = await gain(net);
  assert.ok(trained.some((g) => g !== 2), 'training moved the gain');
  const dir = mkdtempSync(join(tmpdir(), '${n.kind}-'));
  await saveCheckpoint(net, fileHandler(dir));
  const { network } = await loadCheckpoint(fileHandler(dir));
  assert.deepEqual(await gain(network), trained);
  assert.deepEqual(Array.from(await network.predict(data.x).data()), Array.from(await net.predict(data.x).data()));
});
`,
    '.changeset/config.json': json({ $schema: 'https://unpkg.com/@changesets/config@3.1.4/schema.json', changelog: '@changesets/cli/changelog', commit: false, access: 'public', baseBranch: 'main' }),
    '.changeset/first-release.md': `---\n"${n.packageName}": minor\n---\n\nFirst release: the \`${n.kind}\` layer kind for spikeflow.\n`,
    'README.md': `# ${n.packageName}

A spikeflow layer plugin: \`${n.kind}\`, a learned gain (and offset) per channel, the last axis.

\`\`\`ts
import { build, use } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { ${n.exportName} } from '${n.packageName}';

use(neurons, surrogates, ${n.exportName});
const net = build({
  input: { shape: [784] },
  layers: [{ kind: 'dense', units: 100 }, { kind: '${n.kind}', init: 2 }, { kind: 'neuron', neuron: 'plif' }],
});
\`\`\`

| field | default | meaning |
|---|---|---|
| \`init\` | 1 | initial gain of every channel |
| \`useBias\` | false | add a learned offset per channel |

Plus every layer's \`name\` and \`inputs\`. Importing the package types it in a \`ModelSpec\`
(declaration merging on \`LayerKinds\`), so a misspelt field fails \`tsc\`; once registered with \`use\`,
\`modelJsonSchema(registry.catalog())\` describes it for editors.

## Develop

\`\`\`sh
npm install
npm test          # build, then validate, JSON Schema, summary(), 2 training steps, save and load
npx changeset     # describe a change; npm run release publishes
\`\`\`

\`src/index.ts\` is the layer (fields, output shape, build, summary line, weight count) and its typing;
\`src/example.ts\` a typed spec that uses it.
`,
  };
}
