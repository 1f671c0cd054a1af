// Drives the training demo page (/demos/train) in a browser: what it chose to run on, a timed
// training run, and the ink of its charts. Shared by the browser tests and the rate script.
import type { Page } from 'playwright-core';

export interface BackendShown {
  backend: string;
  chosen: string;
  threads: number;
  neuronKernel: string;
  why: string;
}

export interface TimedRun {
  seconds: number;
  step: number;
  /** Last held-out accuracy shown (0 when none yet). */
  accuracy: number;
  /** Mean of the images/s the page reported while it trained (first report left out). */
  imagesPerSecond: number;
}

/** Opens the demo and waits until it can train; returns the backend notice's facts. */
export async function openTrainDemo(page: Page, url: string): Promise<BackendShown> {
  await page.goto(url);
  await page.waitForSelector('[data-testid=train-ready]', { state: 'attached', timeout: 180_000 });
  const notice = page.locator('[data-testid=backend]');
  return {
    backend: (await notice.getAttribute('data-backend')) ?? '',
    chosen: (await notice.getAttribute('data-chosen')) ?? '',
    threads: Number(await notice.getAttribute('data-threads')),
    neuronKernel: (await notice.getAttribute('data-neuron-kernel')) ?? '',
    why: (await page.locator('[data-testid=backend-why]').count()) ? ((await page.textContent('[data-testid=backend-why]')) ?? '') : '',
  };
}

/**
 * Clicks Start, trains for `seconds` of wall time, reads what the page shows, and pauses. The
 * images/s is the mean of the rates the page reported, sampled every second (works on pages
 * that show only the latest rate, too).
 */
export async function trainFor(page: Page, seconds: number): Promise<TimedRun> {
  const rate = page.locator('[data-testid=images-per-second]');
  const t0 = Date.now();
  await page.click('[data-testid=train-start]');
  const rates = new Map<number, number>();
  while (Date.now() - t0 < seconds * 1000) {
    await page.waitForTimeout(Math.min(1000, Math.max(1, seconds * 1000 - (Date.now() - t0))));
    const step = Number((await page.textContent('[data-testid=train-step]')) || 0);
    const value = Number((await rate.getAttribute('data-value')) || 0);
    if (value > 0) rates.set(step, value);
  }
  const acc = page.locator('[data-testid=test-accuracy]');
  const run = {
    seconds: (Date.now() - t0) / 1000,
    step: Number((await page.textContent('[data-testid=train-step]')) || 0),
    accuracy: Number((await acc.getAttribute('data-value')) || 0),
    imagesPerSecond: 0,
  };
  await page.click('[data-testid=train-pause]');
  const steady = [...rates.values()].slice(1);
  run.imagesPerSecond = steady.length ? steady.reduce((a, b) => a + b, 0) / steady.length : [...rates.values()][0] ?? 0;
  return run;
}

/** The demo's line colours, by chart: loss; train and held-out accuracy. */
export const CHART_SERIES = [
  [{ label: 'training loss', rgb: [0xef, 0x44, 0x44] }],
  [
    { label: 'train accuracy', rgb: [0x3b, 0x82, 0xf6] },
    { label: 'held-out accuracy', rgb: [0x10, 0xb9, 0x81] },
  ],
] as const;

/**
 * For every chart canvas, how many of its pixels have each series' colour (the lines drawn), and
 * how many opaque pixels of no series' colour its y axis holds (tick labels) in its leftmost 40
 * pixels.
 */
export async function chartInk(page: Page): Promise<Array<Record<string, number>>> {
  return page.evaluate((series) => {
    const canvases = [...document.querySelectorAll<HTMLCanvasElement>('[data-testid=train-demo] .demo-charts canvas')];
    return canvases.map((c, i) => {
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const counts: Record<string, number> = {};
      for (const s of series[i] ?? []) {
        let n = 0;
        for (let p = 0; p < data.length; p += 4) {
          if (data[p + 3] > 200 && Math.abs(data[p] - s.rgb[0]) < 24 && Math.abs(data[p + 1] - s.rgb[1]) < 24 && Math.abs(data[p + 2] - s.rgb[2]) < 24) n++;
        }
        counts[s.label] = n;
      }
      // Tick labels: opaque pixels of no series' colour (a line starting at the left edge is not a
      // label). Written without inner functions: the page runs this source as it is.
      const colours = series.flat();
      let axis = 0;
      for (let y = 0; y < c.height; y++) {
        for (let x = 0; x < Math.min(40, c.width); x++) {
          const p = (y * c.width + x) * 4;
          if (data[p + 3] <= 200) continue;
          let ofSeries = false;
          for (const s of colours) if (Math.abs(data[p] - s.rgb[0]) < 60 && Math.abs(data[p + 1] - s.rgb[1]) < 60 && Math.abs(data[p + 2] - s.rgb[2]) < 60) ofSeries = true;
          if (!ofSeries) axis++;
        }
      }
      counts['y axis labels'] = axis;
      return counts;
    });
  }, CHART_SERIES as unknown as Array<Array<{ label: string; rgb: number[] }>>);
}
