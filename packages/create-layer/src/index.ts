import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { layerNames } from './names.js';
import { files } from './templates.js';

export { layerNames, type LayerNames } from './names.js';

export interface ScaffoldOptions {
  /** npm package name of the new plugin, e.g. spikeflow-layer-channel-gain or @me/layer-gate. */
  name: string;
  /** Folder to write to; default ./<name without scope>. */
  dir?: string;
  /** Version range of the @spikeflow packages it depends on. */
  spikeflowRange?: string;
}

/** Writes a layer plugin package (source, typed example spec, test, README, changeset) into an empty or new folder. */
export function scaffoldLayer(o: ScaffoldOptions): { dir: string; kind: string; files: string[] } {
  const names = layerNames(o.name);
  const dir = resolve(o.dir ?? names.folder);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} exists and is not empty: choose another --dir`);
  const content = files(names, o.spikeflowRange ?? '*');
  for (const [path, text] of Object.entries(content)) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
  return { dir, kind: names.kind, files: Object.keys(content) };
}
