// Opens a report in headless Chromium (offline: every request but the file itself is refused),
// checks there is no console error and that every chart was drawn, and saves a screenshot.
// usage: node check-report.mjs REPORT.html SCREENSHOT.png
/* global document */
import { chromium } from 'playwright-core';

export async function checkReport(file, screenshot) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    const requests = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file://')) return route.continue();
      requests.push(url);
      return route.abort();
    });
    await page.goto(`file://${file}`);
    await page.waitForFunction(() => document.body.hasAttribute('data-charts'), null, { timeout: 30_000 });
    const charts = await page.evaluate(() => {
      const boxes = [...document.querySelectorAll('.chart')];
      return boxes.map((b) => {
        const canvas = b.querySelector('canvas');
        let inked = 0;
        if (canvas) {
          const ctx = canvas.getContext('2d');
          const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
          for (let i = 3; i < px.length; i += 4) if (px[i] > 0) inked++;
        }
        return { title: b.querySelector('h3')?.textContent ?? '', drawn: b.getAttribute('data-drawn') === '1', inked };
      });
    });
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    return { errors, requests, charts };
  } finally {
    await browser.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, shot] = process.argv.slice(2);
  const r = await checkReport(file, shot);
  console.log(JSON.stringify(r, null, 2));
  process.exitCode = r.errors.length === 0 && r.requests.length === 0 && r.charts.every((c) => c.drawn && c.inked > 0) ? 0 : 1;
}
