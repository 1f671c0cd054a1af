import * as tf from '@tensorflow/tfjs';

/**
 * Sums scalar tensors on the device and reads the total only every `readEvery` additions, so a
 * training loop never waits for the device on each step (one `await data()` per flush).
 */
export class ScalarMeter {
  private pending: tf.Scalar[] = [];
  private total = 0;
  private pendingWeight = 0;
  private readWeight = 0;

  constructor(readonly readEvery = 20) {}

  /** Takes ownership of `value` (disposed at the next flush). */
  async add(value: tf.Scalar, weight = 1): Promise<void> {
    this.pending.push(value);
    this.pendingWeight += weight;
    if (this.pending.length >= this.readEvery) await this.flush();
  }

  /** Reads every pending value into the total. */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const sum = tf.tidy(() => tf.addN(this.pending.map((p) => p.toFloat())));
    this.total += (await sum.data())[0];
    tf.dispose([sum, ...this.pending]);
    this.pending = [];
    this.readWeight += this.pendingWeight;
    this.pendingWeight = 0;
  }

  /** Sum of the values read so far (call flush() first for an exact figure). */
  get sum(): number {
    return this.total;
  }

  /** Weight of the values read so far: sum / weight is the running mean. */
  get weight(): number {
    return this.readWeight;
  }

  /** Mean of the values read so far (NaN before the first read). */
  get mean(): number {
    return this.readWeight > 0 ? this.total / this.readWeight : NaN;
  }

  dispose(): void {
    tf.dispose(this.pending);
    this.pending = [];
  }
}
