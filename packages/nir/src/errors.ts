/** A NIR file or graph that spikeflow cannot read or write; `node` names the node at fault. */
export class NirError extends Error {
  readonly node?: string;
  constructor(message: string, node?: string) {
    super(node === undefined ? message : `node "${node}": ${message}`);
    this.name = 'NirError';
    this.node = node;
  }
}
