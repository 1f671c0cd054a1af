/** A tensor given to spikeflow has the wrong shape; the message names the expected and actual shapes. */
export class ShapeError extends Error {
  constructor(
    message: string,
    readonly expected: ReadonlyArray<number | string>,
    readonly actual: readonly number[],
  ) {
    super(`${message}: expected shape [${expected.join(', ')}], got [${actual.join(', ')}]`);
    this.name = 'ShapeError';
  }
}
