/** Names derived from the package name: the neuron kind, its export and its options type. */
export interface NeuronNames {
  packageName: string;
  /** Folder the package is written to by default (the name without its scope). */
  folder: string;
  /** The plugin's kind: what specs write as `neuron: '...'`. */
  kind: string;
  /** The exported constant (camelCase + Neuron). */
  exportName: string;
  /** The options interface (PascalCase + Options). */
  optionsType: string;
}

const NPM_NAME = /^(?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

export function neuronNames(packageName: string): NeuronNames {
  if (!NPM_NAME.test(packageName) || packageName.length > 214) {
    throw new Error(`"${packageName}" is not a valid npm package name (lowercase letters, digits, - . _, optionally @scope/)`);
  }
  const folder = packageName.replace(/^@[^/]+\//, '');
  const kind = folder.replace(/^spikeflow-neuron-/, '').replace(/^neuron-/, '').replace(/[._]/g, '-');
  if (!/^[a-z]/.test(kind)) throw new Error(`the neuron kind derived from "${packageName}" ("${kind}") must start with a letter`);
  const words = kind.split('-').filter(Boolean);
  const camel = words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('');
  const pascal = camel[0].toUpperCase() + camel.slice(1);
  return { packageName, folder, kind, exportName: `${camel}Neuron`, optionsType: `${pascal}Options` };
}
