import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type DefaultTheme } from 'vitepress';

// Made by scripts/make-api.mjs (typedoc) before every build.
const apiSidebarFile = fileURLToPath(new URL('../api/typedoc-sidebar.json', import.meta.url));
const apiSidebar: DefaultTheme.SidebarItem[] = existsSync(apiSidebarFile) ? JSON.parse(readFileSync(apiSidebarFile, 'utf8')) : [];

export default defineConfig({
  title: 'spikeflow',
  description: 'Spiking neural networks in TypeScript on TensorFlow.js: train and run them in the browser and in Node, on WebGPU, wasm and CPU.',
  lang: 'en',
  cleanUrls: true,
  lastUpdated: false,
  head: [
    ['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }],
    // Cross-origin isolation where the host sets no COOP/COEP headers, so the demos' wasm runs on
    // threads (see guides/wasm-threads). It does nothing on a page that is isolated already.
    ['script', { src: '/coi-serviceworker.js' }],
  ],
  // generated/: tables that pages include (scripts/prepare.mjs), not pages of their own.
  srcExclude: ['README.md', 'test/**', 'scripts/**', 'lib/**', 'generated/**'],
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/getting-started' },
      { text: 'Demos', items: [
        { text: 'Neuron playground', link: '/demos/playground' },
        { text: 'Train in the browser', link: '/demos/train' },
        { text: 'Draw and classify', link: '/demos/draw' },
      ] },
      { text: 'Paper', link: '/paper' },
      { text: 'Benchmarks', link: '/benchmarks' },
      { text: 'API', link: '/api/' },
    ],
    sidebar: {
      '/api/': [{ text: 'API reference', link: '/api/', items: apiSidebar }],
      '/': [
        { text: 'Introduction', items: [
          { text: 'Getting started', link: '/getting-started' },
          { text: 'Concepts', link: '/concepts' },
          { text: 'Architecture', link: '/architecture' },
        ] },
        { text: 'Guides', items: [
          { text: 'Training from the CLI', link: '/guides/cli' },
          { text: 'Training in the browser', link: '/guides/browser-training' },
          { text: 'Event datasets and frames', link: '/guides/event-datasets' },
          { text: 'Writing a neuron plugin', link: '/guides/neuron-plugin' },
          { text: 'Writing a layer plugin', link: '/guides/layer-plugins' },
          { text: 'Graph models', link: '/guides/graph-models' },
          { text: 'Model spec and checkpoints', link: '/guides/spec-and-checkpoints' },
          { text: 'Choosing a backend', link: '/guides/backends' },
          { text: 'wasm threads in browsers', link: '/guides/wasm-threads' },
          { text: 'Long T in less memory', link: '/guides/long-t-memory' },
        ] },
        { text: 'Demos', items: [
          { text: 'Neuron playground', link: '/demos/playground' },
          { text: 'Train in the browser', link: '/demos/train' },
          { text: 'Draw and classify', link: '/demos/draw' },
        ] },
        { text: 'Results', items: [
          { text: 'The paper', link: '/paper' },
          { text: 'Benchmarks', link: '/benchmarks' },
        ] },
        { text: 'API reference', link: '/api/' },
      ],
    },
    search: { provider: 'local' },
    outline: [2, 3],
  },
  vite: {
    // binaryen (15 MB, the wasm neuron kernel's compiler) stays out of the site: the wasm fallback
    // runs neuron layers on the JS host loop and says so.
    build: { target: 'es2022', chunkSizeWarningLimit: 3000, rollupOptions: { external: ['binaryen'] } },
    optimizeDeps: { exclude: ['binaryen'] },
  },
});
