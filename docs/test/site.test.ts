// Browser tests of the built documentation site (docs/.vitepress/dist, made by `npm run build`):
// headless Chromium driven by playwright-core against the site served on 127.0.0.1, once with
// WebGPU (SwiftShader, picked with ?backend=webgpu: `auto` ranks a software adapter below wasm) and
// once without it (the wasm fallback). Screenshots go to docs/test-results/.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseIdx } from '@spikeflow/datasets';
import { chromiumMissing, launch, watchProblems } from './support/browser.js';
import { serveStatic, type StaticServer } from './support/static-server.js';

const site = fileURLToPath(new URL('../.vitepress/dist', import.meta.url));
const shots = fileURLToPath(new URL('../test-results', import.meta.url));
/** Held-out accuracy must pass 50% by this step (evaluated every 10 steps). */
const MAX_TRAIN_STEPS = 60;

function pages(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return pages(path);
    return e.name.endsWith('.html') && e.name !== '404.html' ? ['/' + relative(site, path).replace(/(index)?\.html$/, '')] : [];
  });
}

/** The first ten images of the site's test subset (the official test split, held out from training). */
function heldOutImages(): Array<{ pixels: number[]; label: number }> {
  const read = (name: string) => gunzipSync(readFileSync(join(site, 'data', name)));
  const images = parseIdx(read('fashion-mnist-test-images.idx.gz'), 'test images');
  const labels = parseIdx(read('fashion-mnist-test-labels.idx.gz'), 'test labels');
  return Array.from({ length: 10 }, (_, i) => ({ pixels: Array.from(images.data.subarray(i * 784, (i + 1) * 784)), label: labels.data[i] }));
}

const missing = chromiumMissing() ?? (existsSync(join(site, 'index.html')) ? undefined : `no built site at ${site}: run npm run build first`);
if (missing) console.warn(`docs site browser tests skipped: ${missing}`);

async function open(page: Page, url: string, ready: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector(ready, { state: 'attached', timeout: 120_000 });
}

/** The notice naming the backend; returns the backend's name. */
async function backendShown(page: Page): Promise<string> {
  const notice = page.locator('[data-testid=backend]');
  await notice.waitFor({ timeout: 120_000 });
  expect(await notice.isVisible()).toBe(true);
  return (await notice.getAttribute('data-backend')) ?? '';
}

/** Moves a slider with the keyboard and returns how many pixels of the plot changed. */
async function plotChangeAfterSlider(page: Page, slider: string): Promise<number> {
  const plot = page.locator('[data-testid=playground-plot]');
  const runs = Number(await plot.getAttribute('data-runs'));
  await page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>('[data-testid=playground-plot] canvas')!;
    (window as any).plotBefore = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
  });
  await page.focus(`[data-testid=${slider}]`);
  for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowRight');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=playground-plot]')!.getAttribute('data-runs')) > n, runs, { timeout: 60_000 });
  await page.waitForTimeout(300);
  return page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>('[data-testid=playground-plot] canvas')!;
    const after = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const before = (window as any).plotBefore as Uint8ClampedArray;
    if (before.length !== after.length) return after.length / 4;
    let changed = 0;
    for (let i = 0; i < after.length; i += 4) if (after[i] !== before[i] || after[i + 1] !== before[i + 1] || after[i + 2] !== before[i + 2]) changed++;
    return changed;
  });
}

/** Paints each image on the draw canvas (10x10 pixels per image pixel), classifies it, counts the right ones. */
async function drawAndClassify(page: Page): Promise<{ correct: number; predictions: number[]; latenciesMs: number[] }> {
  const predictions: number[] = [];
  const latenciesMs: number[] = [];
  let correct = 0;
  for (const [i, { pixels, label }] of heldOutImages().entries()) {
    await page.evaluate((px) => {
      const c = document.querySelector<HTMLCanvasElement>('[data-testid=draw-canvas]')!;
      const ctx = c.getContext('2d')!;
      const img = ctx.createImageData(280, 280);
      for (let y = 0; y < 280; y++) for (let x = 0; x < 280; x++) {
        const v = px[Math.floor(y / 10) * 28 + Math.floor(x / 10)];
        const o = (y * 280 + x) * 4;
        img.data[o] = img.data[o + 1] = img.data[o + 2] = v;
        img.data[o + 3] = 255;
      }
      ctx.putImageData(img, 0, 0);
    }, pixels);
    await page.click('[data-testid=draw-classify]');
    await page.waitForSelector(`[data-testid=draw-prediction][data-count="${i + 1}"]`, { timeout: 60_000 });
    const predicted = Number(await page.getAttribute('[data-testid=draw-prediction]', 'data-class'));
    predictions.push(predicted);
    // The page shows each classification's latency.
    latenciesMs.push(Number(await page.getAttribute('[data-testid=draw-latency]', 'data-ms')));
    if (predicted === label) correct++;
  }
  return { correct, predictions, latenciesMs };
}

/** Trains until held-out accuracy passes 50% or the step bound; returns what the page showed. */
async function trainUntil50(page: Page): Promise<{ step: number; accuracy: number; imagesPerSecond: number }> {
  await page.click('[data-testid=train-start]');
  let seen = { step: 0, accuracy: 0, imagesPerSecond: 0 };
  const deadline = Date.now() + 12 * 60_000;
  while (Date.now() < deadline) {
    await page.waitForTimeout(2000);
    const acc = page.locator('[data-testid=test-accuracy]');
    seen = {
      step: Number((await acc.getAttribute('data-step')) || 0),
      accuracy: Number((await acc.getAttribute('data-value')) || 0),
      imagesPerSecond: Number((await page.getAttribute('[data-testid=images-per-second]', 'data-value')) || 0),
    };
    if (seen.accuracy > 0.5 || seen.step >= MAX_TRAIN_STEPS) break;
  }
  await page.click('[data-testid=train-pause]');
  return seen;
}

const siteBuilt = existsSync(join(site, 'index.html'));
if (!siteBuilt) console.warn('site.test.ts: the built-site checks are skipped: docs/.vitepress/dist is not built; `npm run test:slow` builds it first (CI runs it that way)');
describe.skipIf(!siteBuilt)('the built site', () => {
  test('lists every registered layer kind, from the registry, on the spec page', async () => {
    const { Registry } = await import('@spikeflow/core');
    const html = readFileSync(join(site, 'guides/spec-and-checkpoints.html'), 'utf8');
    for (const kind of new Registry().layers.keys()) expect(html, kind).toContain(`<code>${kind}</code>`);
  });
});

describe.skipIf(missing)('documentation site in headless Chromium', () => {
  let server: StaticServer;
  beforeAll(async () => {
    server = await serveStatic(site);
    mkdirSync(shots, { recursive: true });
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('with WebGPU (SwiftShader)', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launch(true);
    });
    afterAll(async () => {
      await browser?.close();
    });

    test('every page loads with no console error and no failed request', async () => {
      const all = pages(site);
      expect(all.length).toBeGreaterThan(15);
      const page = await browser.newPage();
      page.setDefaultNavigationTimeout(120_000);
      const problems = watchProblems(page);
      const ready: Record<string, string> = {
        '/demos/playground': '[data-testid=playground-ready]',
        '/demos/train': '[data-testid=train-ready]',
        '/demos/draw': '[data-testid=draw-ready]',
      };
      for (const path of all) {
        const before = problems.length;
        await page.goto(server.url + path, { waitUntil: 'load' });
        if (ready[path]) await page.waitForSelector(ready[path], { state: 'attached', timeout: 120_000 });
        await page.waitForLoadState('networkidle');
        expect(problems.slice(before), `problems on ${path}`).toEqual([]);
      }
      await page.close();
    }, 10 * 60_000);

    test('the playground redraws when a slider moves', async () => {
      const page = await browser.newPage();
      const problems = watchProblems(page);
      await open(page, server.url + '/demos/playground?backend=webgpu', '[data-testid=playground-ready]');
      expect(await backendShown(page)).toBe('webgpu');
      const kinds = await page.locator('[data-testid=neuron-select] option').allTextContents();
      expect(kinds.map((k) => k.split(' ')[0])).toEqual(expect.arrayContaining(['IF', 'LIF', 'PLIF']));
      expect(await plotChangeAfterSlider(page, 'option-tau')).toBeGreaterThan(200);
      expect(await plotChangeAfterSlider(page, 'vThreshold')).toBeGreaterThan(200);
      await page.screenshot({ path: join(shots, 'playground-webgpu.png'), fullPage: true });
      expect(problems).toEqual([]);
      await page.close();
    }, 5 * 60_000);

    test(`the training demo runs on WebGPU and passes 50% held-out accuracy within ${MAX_TRAIN_STEPS} steps`, async () => {
      const page = await browser.newPage();
      const problems = watchProblems(page);
      await open(page, server.url + '/demos/train?backend=webgpu', '[data-testid=train-ready]');
      expect(await backendShown(page)).toBe('webgpu');
      expect(await page.textContent('[data-testid=backend]')).toContain('WebGPU');
      const seen = await trainUntil50(page);
      console.log(`training demo on WebGPU (SwiftShader): held-out accuracy ${(100 * seen.accuracy).toFixed(1)}% at step ${seen.step}, ${seen.imagesPerSecond.toFixed(2)} images/s`);
      await page.screenshot({ path: join(shots, 'train-webgpu.png'), fullPage: true });
      expect(seen.accuracy).toBeGreaterThan(0.5);
      expect(seen.step).toBeLessThanOrEqual(MAX_TRAIN_STEPS);
      expect(await page.locator('[data-testid=tau] .demo-chip').count()).toBe(3);
      expect(await page.locator('.demo-layer').count()).toBe(3);
      expect(problems).toEqual([]);
      await page.close();
    }, 15 * 60_000);

    test('the draw demo classifies at least 8 of 10 held-out test images drawn on its canvas', async () => {
      const page = await browser.newPage();
      const problems = watchProblems(page);
      await open(page, server.url + '/demos/draw?backend=webgpu', '[data-testid=draw-ready]');
      expect(await backendShown(page)).toBe('webgpu');
      const { correct, predictions, latenciesMs } = await drawAndClassify(page);
      console.log(`draw demo on WebGPU: ${correct}/10 correct (predicted ${predictions.join(', ')}), latency ${latenciesMs.map((ms) => ms.toFixed(0)).join(', ')} ms`);
      expect(latenciesMs.every((ms) => ms > 0)).toBe(true);
      expect(await page.textContent('[data-testid=draw-ready]')).toMatch(/on the 10,000 Fashion-MNIST test images, \d+ KiB of weights/);
      expect(correct).toBeGreaterThanOrEqual(8);
      expect(await page.locator('.demo-layer').count()).toBe(4);
      await page.screenshot({ path: join(shots, 'draw-webgpu.png'), fullPage: true });
      expect(problems).toEqual([]);
      await page.close();
    }, 5 * 60_000);
  });

  describe('without WebGPU (wasm fallback)', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launch(false);
    });
    afterAll(async () => {
      await browser?.close();
    });

    test('every demo works on wasm and says so', async () => {
      const page = await browser.newPage();
      const problems = watchProblems(page);
      const wasmFiles: string[] = [];
      page.on('request', (r) => {
        if (r.url().endsWith('.wasm')) wasmFiles.push(r.url());
      });

      await open(page, server.url + '/demos/playground', '[data-testid=playground-ready]');
      expect(await backendShown(page)).toBe('wasm');
      expect(await page.textContent('[data-testid=backend]')).toContain('WebGPU is not available');
      // coi-serviceworker made the page cross-origin isolated (the test server sets no COOP/COEP
      // headers), so the wasm backend started its threaded build.
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      expect(wasmFiles.some((u) => u.endsWith('/tfjs-backend-wasm-threaded-simd.wasm')), wasmFiles.join(', ')).toBe(true);
      expect(await page.textContent('[data-testid=backend]')).toMatch(/\(\d+ threads?\)/);
      expect(await plotChangeAfterSlider(page, 'option-tau')).toBeGreaterThan(200);
      await page.screenshot({ path: join(shots, 'playground-wasm.png'), fullPage: true });

      await open(page, server.url + '/demos/train', '[data-testid=train-ready]');
      expect(await backendShown(page)).toBe('wasm');
      const seen = await trainUntil50(page);
      console.log(`training demo on wasm: held-out accuracy ${(100 * seen.accuracy).toFixed(1)}% at step ${seen.step}, ${seen.imagesPerSecond.toFixed(1)} images/s`);
      expect(seen.accuracy).toBeGreaterThan(0.5);
      await page.screenshot({ path: join(shots, 'train-wasm.png'), fullPage: true });

      await open(page, server.url + '/demos/draw', '[data-testid=draw-ready]');
      expect(await backendShown(page)).toBe('wasm');
      const { correct, latenciesMs } = await drawAndClassify(page);
      console.log(`draw demo on wasm: ${correct}/10 correct, latency ${latenciesMs.map((ms) => ms.toFixed(0)).join(', ')} ms`);
      expect(correct).toBeGreaterThanOrEqual(8);
      expect(latenciesMs.every((ms) => ms > 0)).toBe(true);
      expect(await page.textContent('[data-testid=draw-latency]')).toMatch(/^\s*Classified in [\d.]+ ms \(median of 10: [\d.]+ ms\)/);
      // The packed binary-spike engine predicts in the browser too (no fallback to float).
      expect(await page.textContent('[data-testid=draw-engine]')).toMatch(/^packed/);
      await page.screenshot({ path: join(shots, 'draw-wasm.png'), fullPage: true });

      expect(problems).toEqual([]);
      await page.close();
    }, 10 * 60_000);
  });
});
