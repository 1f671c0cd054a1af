/** A network the packed engine cannot run: names the layer and why. */
export class PackError extends Error {
  constructor(
    /** The layer's name in the network ("input" for the encoder). */
    readonly layer: string,
    /** Why it has no packed form. */
    readonly reason: string,
  ) {
    super(`packed inference: layer "${layer}" ${reason}`);
    this.name = 'PackError';
  }
}
