// The words tsc prints for a misspelt option, not only that it fails: a user reads this message
// when a spec inside build({...}) has a typo. The snippets compile in memory with the repository's
// compiler options, as if they were files in test/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** tsc's messages for `code`, compiled as test/<name>.ts with tsconfig.json's options. */
function tscMessages(code: string): string[] {
  const file = join(root, 'test', '__type-messages.ts');
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(join(root, 'tsconfig.json'), (p) => readFileSync(p, 'utf8')).config, ts.sys, root);
  const host = ts.createCompilerHost(config.options);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  host.readFile = (p) => (p === file ? code : read(p));
  host.fileExists = (p) => p === file || exists(p);
  const getSource = host.getSourceFile.bind(host);
  host.getSourceFile = (p, lang, ...rest) => (p === file ? ts.createSourceFile(p, code, lang) : getSource(p, lang, ...rest));
  const program = ts.createProgram([file], config.options, host);
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

const header = `import { build, validate } from '@spikeflow/core';
import type { ModelSpec } from '@spikeflow/spec';
import '@spikeflow/neurons';
const input = { shape: [4] };
`;

describe('tsc names the misspelt key', () => {
  it('inside build({...}), as for a spec typed ModelSpec', { timeout: 300_000 }, () => {
    const [inBuild, typed, ...rest] = tscMessages(`${header}
build({ input, layers: [{ kind: 'dense', units: 2 }, { kind: 'neuron', neuron: 'plif', initTua: 2 }] });
export const spec: ModelSpec = { input, layers: [{ kind: 'neuron', neuron: 'plif', initTua: 2 }] };
export const ok = build(validate(spec));
`);
    expect(rest).toEqual([]);
    expect(typed).toMatch(/'initTua' does not exist in type .*Did you mean to write 'initTau'\?/);
    // The first reason tsc gives is the misspelt key, not the fields a validated spec has.
    const first = inBuild.split('\n').slice(0, 3).join('\n');
    expect(first).toMatch(/'initTua' does not exist in type .*Did you mean to write 'initTau'\?/);
    expect(first).not.toMatch(/missing the following properties/);
  });
});
