// captureNativeStderr: what native code writes to descriptor 2 (Dawn's startup warnings) is caught,
// and descriptor 2 is back on the original stderr afterwards.
import { fstatSync, writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { captureNativeStderr, DAWN_LOG_LINE } from '../src/native-stderr.js';

describe('captureNativeStderr', () => {
  it('catches writes to descriptor 2 and restores it', async () => {
    const before = fstatSync(2);
    const swappable = process.platform === 'linux' && (before.isFIFO() || before.isCharacterDevice());
    // writeSync(2) bypasses process.stderr, as Dawn's fprintf does.
    const r = await captureNativeStderr(async () => {
      writeSync(2, 'Warning: a native line\n');
      return 7;
    });
    expect(r.value).toBe(7);
    if (swappable) {
      expect(r.captured).toBe(true);
      expect(r.text).toBe('Warning: a native line\n');
    } else {
      console.warn(`native-stderr.test.ts: stderr here cannot be swapped (${process.platform}); the capture itself is checked on Linux with stderr a pipe or terminal`);
      expect(r).toMatchObject({ captured: false, text: '' });
    }
    const after = fstatSync(2);
    expect([after.dev, after.ino]).toEqual([before.dev, before.ino]);
  });

  it('restores descriptor 2 when the function throws', async () => {
    const before = fstatSync(2);
    await expect(captureNativeStderr(async () => Promise.reject(new Error('no adapter')))).rejects.toThrow('no adapter');
    const after = fstatSync(2);
    expect([after.dev, after.ino]).toEqual([before.dev, before.ino]);
  });

  it("tells Dawn's log lines from others", () => {
    expect(DAWN_LOG_LINE.test('Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16')).toBe(true);
    expect(DAWN_LOG_LINE.test('spikeflow: something else')).toBe(false);
  });
});
