// The order test files start in. Two workers share the files; if a long file starts last, one
// worker runs it alone at the end. Vitest orders by the durations of the previous run, which a
// fresh clone does not have: there, the files known to be slow start first.
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The slowest files of the fast tier, slowest first (seconds on two idle cores, vitest's per-file duration). */
export const KNOWN_SLOW = [
  'test/reliability/run-folder.test.ts', // 58
  'apps/train/test/presets.test.ts', // 38
  'test/reliability/kill-resume.test.ts', // 37
  'test/reliability/cli.test.ts', // 35
  'apps/train/test/interrupt.test.ts', // 27
  'test/reliability/signals.test.ts', // 21
  'packages/conformance/test/catalogue/training.test.ts', // 15
  'apps/train/test/help.test.ts', // 14
  'test/training.test.ts', // 13
  'test/backend-conformance.test.ts', // 13
  'packages/create-neuron/test/scaffold.test.ts', // 11
  'packages/create-layer/test/scaffold.test.ts', // 8
];

export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const key = (f: TestSpecification) => relative(root, f.moduleId);
    const measured = sorted.every((f) => this.ctx.cache.getFileTestResults(`${f.project.name}:${key(f)}`) !== undefined);
    if (measured) return sorted;
    const rank = (f: TestSpecification) => {
      const i = KNOWN_SLOW.indexOf(key(f));
      return i === -1 ? KNOWN_SLOW.length : i;
    };
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}
