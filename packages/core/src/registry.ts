import type { OptionSchema, PluginCatalog } from '@spikeflow/spec';
import { builtinLayers } from './builtin-layers.js';
import type { LayerPlugin } from './layer-plugin.js';
import type { NeuronPlugin, PluginLookup, PoolPlugin, SurrogatePlugin } from './plugins.js';

export type AnyPlugin = NeuronPlugin<any> | SurrogatePlugin<any> | PoolPlugin<any> | LayerPlugin;

/**
 * The plugin kinds a runtime knows. `registry` is the shared one that `use()` fills and `build()`
 * reads; tests and embedders can make their own and pass it to build().
 */
export class Registry implements PluginLookup {
  readonly neurons = new Map<string, NeuronPlugin<any>>();
  readonly surrogates = new Map<string, SurrogatePlugin<any>>();
  readonly pools = new Map<string, PoolPlugin<any>>();
  /** Layer kinds: the built-in ones, then any registered layer plugin. */
  readonly layers = new Map<string, LayerPlugin>(builtinLayers.map((l) => [l.kind, l]));

  /** Adds plugins; a plugin of the same kind replaces the earlier one (so users can override built-ins). */
  register(...plugins: Array<AnyPlugin | readonly AnyPlugin[]>): this {
    for (const p of plugins.flat() as AnyPlugin[]) {
      if (!p || typeof p !== 'object' || typeof p.kind !== 'string') {
        throw new TypeError(`register: expected plugins made by defineNeuron/defineSurrogate/definePool/defineLayer, got ${JSON.stringify(p)}`);
      }
      switch (p.type) {
        case 'neuron': this.neurons.set(p.kind, p); break;
        case 'surrogate': this.surrogates.set(p.kind, p); break;
        case 'pool': this.pools.set(p.kind, p); break;
        case 'layer': this.layers.set(p.kind, p); break;
        default: throw new TypeError(`register: plugin "${(p as AnyPlugin).kind}" has no known type; make it with defineNeuron/defineSurrogate/definePool/defineLayer`);
      }
    }
    return this;
  }

  /** The kinds and their option schemas, as @spikeflow/spec's validate() takes them. */
  catalog(): PluginCatalog {
    const schemas = (m: Map<string, { options: OptionSchema }>) => Object.fromEntries([...m].map(([k, p]) => [k, p.options]));
    return { neurons: schemas(this.neurons), surrogates: schemas(this.surrogates), pools: schemas(this.pools), layers: Object.fromEntries(this.layers) };
  }
}

export const registry = new Registry();

/** Registers plugins with the shared registry: `use(neurons, pooling, myNeuron)`. */
export function use(...plugins: Array<AnyPlugin | readonly AnyPlugin[]>): Registry {
  return registry.register(...plugins);
}
