import type { NeuronNames } from './names.js';

// The files of a new neuron plugin package. The neuron is a working two-state example (LIF with an
// adaptation current) for the author to edit: its charge, its state variable and its options.

export function files(n: NeuronNames, spikeflowRange: string): Record<string, string> {
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  return {
    'package.json': json({
      name: n.packageName,
      version: '0.1.0',
      description: `spikeflow neuron plugin: ${n.kind}`,
      license: 'MIT',
      type: 'module',
      sideEffects: false,
      exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' }, './package.json': './package.json' },
      main: './dist/index.js',
      types: './dist/index.d.ts',
      files: ['dist', 'src', 'README.md'],
      scripts: {
        build: 'tsc -p tsconfig.json',
        test: 'npm run build && node --test test/',
        changeset: 'changeset',
        release: 'npm run build && changeset publish',
      },
      keywords: ['spikeflow', 'spikeflow-neuron', 'spiking neural network'],
      // One @spikeflow/core per application: the plugin registers with the app's own copy.
      peerDependencies: { '@spikeflow/core': spikeflowRange, '@spikeflow/spec': spikeflowRange, '@tensorflow/tfjs': '^4.22.0' },
      // The test runs the conformance runner; it loads the built-in neurons and finds the backends installed.
      devDependencies: {
        '@spikeflow/core': spikeflowRange,
        '@spikeflow/spec': spikeflowRange,
        '@spikeflow/neurons': spikeflowRange,
        '@spikeflow/conformance': spikeflowRange,
        '@spikeflow/backend-cpu': spikeflowRange,
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
    '.gitignore': 'node_modules\ndist\ntest/*.generated.json\n',
    'src/index.ts': `import { defineNeuron } from '@spikeflow/core';
import { field } from '@spikeflow/spec';

export interface ${n.optionsType} {
  /** Membrane time constant (> 1). */
  tau: number;
  /** Time constant of the adaptation current (> 1). */
  tauW: number;
  /** Jump of the adaptation current at each spike. */
  b: number;
}

/**
 * ${n.kind}: a LIF neuron with an adaptation current w (edit to your own equations).
 *   H[t] = V[t-1] + (X[t] - (V[t-1] - vRest) - w[t-1]) / tau
 *   w[t] = w[t-1] - w[t-1] / tauW, plus b where the neuron spiked
 * Fire, reset, the surrogate gradient and BPTT through V and w come from spikeflow.
 */
export const ${n.exportName} = defineNeuron<${n.optionsType}>({
  kind: '${n.kind}',
  description: 'LIF with an adaptation current',
  options: {
    tau: field.number({ exclusiveMin: 1, default: 2, description: 'membrane time constant (> 1)' }),
    tauW: field.number({ exclusiveMin: 1, default: 4, description: 'time constant of the adaptation current (> 1)' }),
    b: field.number({ min: 0, default: 0.2, description: 'jump of the adaptation current at each spike' }),
  },
  state: {
    w: {
      description: 'adaptation current',
      init: 0,
      update: ({ state: { w }, options }) => w.sub(w.div(options.tauW)),
      jump: ({ options }) => options.b,
    },
  },
  charge: ({ v, x, state: { w }, options }) => v.add(x.sub(v.sub(options.vRest)).sub(w).div(options.tau)),
});

// Typed specs: { kind: 'neuron', neuron: '${n.kind}', tauW: 8 } type-checks where this package is imported.
declare module '@spikeflow/spec' {
  interface NeuronKinds {
    '${n.kind}': Partial<${n.optionsType}>;
  }
}
`,
    'test/conformance.test.mjs': `// The neuron through spikeflow's conformance runner: vectors written from its reference path
// (tfjs ops), then its fused kernels checked against them (spikes exact; v, w, dL/dx within 1e-5).
// SPIKEFLOW_BACKENDS=cpu,wasm,webgpu checks more backends; wasm and webgpu need their packages:
//   npm install -D @spikeflow/backend-wasm @tensorflow/tfjs-backend-wasm
//   npm install -D @spikeflow/backend-webgpu @tensorflow/tfjs-backend-webgpu webgpu@0.6.2
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const bin = join(dirname(require.resolve('@spikeflow/conformance/package.json')), 'bin', 'spikeflow-conformance.js');
const vectors = 'test/vectors.generated.json';
const run = (...args) => spawnSync(process.execPath, [bin, '--plugins', './dist/index.js', ...args], { encoding: 'utf8' });

test('writes vectors from the reference path', () => {
  const r = run('--generate', vectors);
  assert.equal(r.status, 0, r.stderr);
});

for (const backend of (process.env.SPIKEFLOW_BACKENDS ?? 'cpu').split(',')) {
  test(\`the fused kernels on \${backend} match them\`, () => {
    const r = run('--vectors', vectors, '--backend', backend);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /0 failed/);
  });
}
`,
    '.changeset/config.json': json({ $schema: 'https://unpkg.com/@changesets/config@3.1.4/schema.json', changelog: '@changesets/cli/changelog', commit: false, access: 'public', baseBranch: 'main' }),
    '.changeset/first-release.md': `---\n"${n.packageName}": minor\n---\n\nFirst release: the \`${n.kind}\` neuron for spikeflow.\n`,
    'README.md': `# ${n.packageName}

A spikeflow neuron plugin: \`${n.kind}\`, a LIF neuron with an adaptation current w.

\`\`\`ts
import { build, use } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { ${n.exportName} } from '${n.packageName}';

use(neurons, surrogates, ${n.exportName});
const net = build({
  input: { shape: [784] },
  layers: [{ kind: 'dense', units: 100 }, { kind: 'neuron', neuron: '${n.kind}', tauW: 8 }],
});
\`\`\`

| option | default | meaning |
|---|---|---|
| \`tau\` | 2 | membrane time constant (> 1) |
| \`tauW\` | 4 | time constant of the adaptation current (> 1) |
| \`b\` | 0.2 | jump of the adaptation current at each spike |

Plus spikeflow's common neuron options: \`vThreshold\`, \`vReset\` (null = soft reset), \`vRest\`,
\`detachReset\`, \`surrogate\`.

## Develop

\`\`\`sh
npm install
npm test          # build, write vectors from the reference path, check the fused kernels on cpu
SPIKEFLOW_BACKENDS=cpu,webgpu npm test   # also WebGPU, after: npm install -D @spikeflow/backend-webgpu @tensorflow/tfjs-backend-webgpu webgpu@0.6.2
npx changeset     # describe a change; npm run release publishes
\`\`\`
`,
  };
}
