/** Names derived from the package name: the layer kind, its export and its spec type. */
export interface LayerNames {
  packageName: string;
  /** Folder the package is written to by default (the name without its scope). */
  folder: string;
  /** The layer kind: what specs write as `kind: '...'` (an identifier, as defineLayer requires). */
  kind: string;
  /** The exported constant (kind + Layer). */
  exportName: string;
  /** The spec interface (PascalCase kind + LayerSpec). */
  specType: string;
}

const NPM_NAME = /^(?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

export function layerNames(packageName: string): LayerNames {
  if (!NPM_NAME.test(packageName) || packageName.length > 214) {
    throw new Error(`"${packageName}" is not a valid npm package name (lowercase letters, digits, - . _, optionally @scope/)`);
  }
  const folder = packageName.replace(/^@[^/]+\//, '');
  const words = folder.replace(/^spikeflow-layer-/, '').replace(/^layer-/, '').split(/[-._]/).filter(Boolean);
  // Layer kinds are identifiers (`batchNorm`, `rowSequence`): the words joined in camelCase.
  const kind = words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('');
  if (!/^[a-z][A-Za-z0-9]*$/.test(kind)) throw new Error(`the layer kind derived from "${packageName}" ("${kind}") must start with a letter`);
  const pascal = kind[0].toUpperCase() + kind.slice(1);
  return { packageName, folder, kind, exportName: `${kind}Layer`, specType: `${pascal}LayerSpec` };
}
