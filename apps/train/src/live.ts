// Read-only views that are recomputed on every read, so exported tables such as PRESETS follow the
// dataset registry even when a dataset registers after this module loaded.

/** A record whose keys and values come from `table()` at each read. */
export function liveRecord<V>(table: () => Record<string, V>): Readonly<Record<string, V>> {
  const own = (key: string | symbol) => typeof key === 'string' && Object.prototype.hasOwnProperty.call(table(), key);
  return new Proxy({} as Record<string, V>, {
    get: (_, key) => (own(key) ? table()[key as string] : undefined),
    has: (_, key) => own(key),
    ownKeys: () => Object.keys(table()),
    getOwnPropertyDescriptor: (_, key) => (own(key) ? { value: table()[key as string], enumerable: true, configurable: true, writable: false } : undefined),
    set: () => false,
    deleteProperty: () => false,
    defineProperty: () => false,
  });
}

/** A read-only array whose items come from `items()` at each read (array methods work on it). */
export function liveList<T>(items: () => readonly T[]): readonly T[] {
  return new Proxy([] as T[], {
    get: (_, key) => Reflect.get(items(), key),
    has: (_, key) => Reflect.has(items(), key),
    ownKeys: () => Reflect.ownKeys(items()),
    getOwnPropertyDescriptor: (_, key) => (key === 'length' ? { value: items().length, writable: true, enumerable: false, configurable: false } : Reflect.getOwnPropertyDescriptor(items(), key)),
    set: () => false,
    deleteProperty: () => false,
    defineProperty: () => false,
  });
}
