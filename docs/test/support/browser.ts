// Headless Chromium (Debian's /usr/bin/chromium, or $CHROMIUM) driven by playwright-core, with or
// without WebGPU (SwiftShader), collecting every console error, page error and failed request.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM); .ci/run installs it and runs these tests`;
}

export async function launch(webgpu: boolean): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: webgpu ? [...FLAGS, '--enable-unsafe-webgpu'] : FLAGS });
}

/** Problems a page reported: console errors, uncaught exceptions, failed or 4xx/5xx requests. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // ERR_ABORTED is a request the browser cancelled itself (the test navigated on), not a failure.
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}
