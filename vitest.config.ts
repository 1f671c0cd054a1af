import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './test/slow-first.js';

// Tests run on the TypeScript sources of every package (the `source` export condition),
// so a change is tested without rebuilding. The pack test checks the built output.
//
// Two tiers, two projects:
//   fast  (`npm test`)          unit, conformance, vectors and CLI tests: minutes on two cores.
//   slow  (`npm run test:all`)  the files below: browsers, a registry, npm pack and installs
//                               into fresh folders, the GPU-machine smoke run.
// `npx vitest run FILE` runs a file of either tier; `npx vitest run --project fast` the fast tier.

/** Each of these takes tens of seconds to minutes, mostly in child processes. */
export const SLOW_TESTS = [
  'docs/test/site.test.ts', // the built docs site in headless Chromium, with and without WebGPU
  'docs/test/train-demo.test.ts', // the training demo in headless Chromium: 40 s of training, backend choice
  'apps/train/test/report.test.ts', // HTML reports in headless Chromium
  'packages/nir/test/browser.test.ts', // a vite build, then NIR files in headless Chromium
  'packages/backend-webgpu/test/cli-and-browser.test.ts', // conformance in headless Chromium's WebGPU
  'test/registry.test.ts', // publish to and install from a local verdaccio registry
  'test/pack.test.ts', // npm pack + install into an empty folder, then train from it
  'test/packages.test.ts', // npm pack of every package, publint and arethetypeswrong on each
  'test/outside-plugin.test.ts', // a neuron plugin package outside the monorepo and its scaffold, installed from tarballs
  'test/outside-layer-plugin.test.ts', // a layer plugin package outside the monorepo and its scaffold, installed from tarballs
  'test/gpu-check.test.ts', // scripts/gpu-check.mjs --smoke on whatever WebGPU adapter is here
  'docs/test/draw-model-accuracy.test.ts', // the draw demo's model on the 10,000 Fashion-MNIST test images
];

const ALL_TESTS = ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'test/**/*.test.ts', 'docs/test/**/*.test.ts'];

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest's default leaves one core idle; most of the time here is spent in child processes
    // (tsc, node, chromium) that a second test file can overlap.
    maxWorkers: availableParallelism(),
    // Long files first when vitest has no durations from a previous run (a fresh clone).
    sequence: { sequencer: SlowFirstSequencer },
    projects: [
      { extends: true, test: { name: 'fast', include: ALL_TESTS, exclude: SLOW_TESTS } },
      { extends: true, test: { name: 'slow', include: SLOW_TESTS } },
    ],
  },
});
