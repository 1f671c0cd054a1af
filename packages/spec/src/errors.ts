/** A path into a JSON document: property names and array indices. */
export type JsonPath = ReadonlyArray<string | number>;

/** Renders a path the way a reader finds it in the file: `layers[2].surrogate.alpha`. */
export function formatPath(path: JsonPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out === '' ? '(root)' : out;
}

/** One problem found in a spec: where it is, and what was expected there. */
export interface SpecIssue {
  path: JsonPath;
  message: string;
}

/**
 * Thrown for a spec that cannot be used. `issues` lists every problem found (not just the first),
 * each naming its JSON path; `message` shows them all.
 */
export class SpecError extends Error {
  readonly issues: readonly SpecIssue[];
  constructor(issues: SpecIssue[] | SpecIssue) {
    const list = Array.isArray(issues) ? issues : [issues];
    super(
      list.length === 1
        ? `${formatPath(list[0].path)}: ${list[0].message}`
        : `invalid model spec (${list.length} problems):\n` +
            list.map((i) => `  - ${formatPath(i.path)}: ${i.message}`).join('\n'),
    );
    this.name = 'SpecError';
    this.issues = list;
  }
  /** The path of the first problem, for callers that handle one at a time. */
  get path(): JsonPath {
    return this.issues[0].path;
  }
}

/** The names closest to `name` by edit distance, for "did you mean" hints. */
export function suggest(name: string, known: readonly string[]): string[] {
  const scored = known
    .map((k) => ({ k, d: editDistance(name.toLowerCase(), k.toLowerCase()) }))
    .filter(({ k, d }) => d <= Math.max(2, Math.floor(k.length / 3)))
    .sort((a, b) => a.d - b.d);
  return scored.map((s) => s.k);
}

/** `unknown neuron "plfi"; known: if, lif, plif (did you mean "plif"?)` */
export function unknownNameMessage(what: string, name: unknown, known: readonly string[]): string {
  const close = typeof name === 'string' ? suggest(name, known) : [];
  const hint = close.length > 0 ? ` (did you mean "${close[0]}"?)` : '';
  return `unknown ${what} ${JSON.stringify(name)}; known: ${known.join(', ') || '(none registered)'}${hint}`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}
