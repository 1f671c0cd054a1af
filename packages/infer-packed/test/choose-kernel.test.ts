// calibrate()'s choice between the event-driven and the bit-mask kernel: one stalled call (a loaded
// machine preempts the process for milliseconds) must not make the faster kernel lose.
import { describe, expect, it } from 'vitest';
import { chooseKernel } from '@spikeflow/infer-packed';

describe('chooseKernel', () => {
  it('keeps the kernel that is faster on most samples though one of its calls stalled', () => {
    const events = [0.03, 0.028, 5.2, 0.031, 0.029, 0.03];
    const bitmask = [0.14, 0.15, 0.142, 0.139, 0.141, 0.145];
    const r = chooseKernel({ events, bitmask });
    expect(r.chosen).toBe('events');
    expect(r.events).toBeCloseTo(0.03, 6);
    expect(r.bitmask).toBeCloseTo(0.1415, 6);
  });

  it('takes the bit-mask kernel where it is faster, and the event-driven one on a tie', () => {
    expect(chooseKernel({ events: [0.2, 0.21, 0.19], bitmask: [0.1, 0.11, 0.09] }).chosen).toBe('bitmask');
    expect(chooseKernel({ events: [0.1, 0.1], bitmask: [0.1, 0.1] }).chosen).toBe('events');
  });
});
