// Sites in a report: a position in built JavaScript is mapped back to its TypeScript line through
// the file's source map (a .map file beside it, or an inline one), with the line's text; a file
// that cannot be read keeps its position and has no text.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import ts from 'typescript';
import { SiteResolver } from '../../src/diagnostics/index.js';

const directory = mkdtempSync(join(tmpdir(), 'source-sites-'));
after(() => {
  rmSync(directory, { recursive: true, force: true });
});

const source = [
  'interface Account {',
  '  balance: number;',
  '}',
  '',
  'export function transfer(from: Account, to: Account, amount: number): void {',
  '  from.balance -= amount;',
  '  to.balance += amount; // MARK',
  '}',
  '',
].join('\n');

/** Builds the source as tsc would (with a map, inline or not); returns the JS position of MARK. */
function build(name: string, inline: boolean): { file: string; line: number; column: number } {
  const output = ts.transpileModule(source, {
    fileName: `${name}.ts`,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      ...(inline ? { inlineSourceMap: true } : { sourceMap: true }),
    },
  });
  writeFileSync(join(directory, `${name}.ts`), source);
  let js = output.outputText;
  if (!inline) {
    js = js.replace(/\/\/# sourceMappingURL=.*$/m, `//# sourceMappingURL=${name}.js.map`);
    writeFileSync(join(directory, `${name}.js.map`), output.sourceMapText ?? '');
  }
  writeFileSync(join(directory, `${name}.js`), js);
  const lines = js.split('\n');
  const index = lines.findIndex((line) => line.includes('to.balance'));
  return {
    file: join(directory, `${name}.js`),
    line: index + 1,
    column: (lines[index] ?? '').indexOf('to.balance') + 1,
  };
}

describe('SiteResolver', () => {
  for (const inline of [false, true]) {
    it(`maps built JavaScript to its TypeScript line (${inline ? 'inline map' : 'map file'})`, () => {
      const name = inline ? 'inline' : 'external';
      const site = build(name, inline);
      assert.notEqual(site.line, 7, 'the JavaScript line differs (the interface is gone)');
      const resolved = new SiteResolver().resolve(site);
      assert.equal(resolved.file, join(directory, `${name}.ts`));
      assert.equal(resolved.line, 7);
      assert.equal(resolved.text, 'to.balance += amount; // MARK');
    });
  }

  it('leaves TypeScript positions alone, and a missing file without text', () => {
    writeFileSync(join(directory, 'plain.ts'), source);
    const plain = new SiteResolver().resolve({
      file: join(directory, 'plain.ts'),
      line: 6,
      column: 3,
    });
    assert.equal(plain.line, 6);
    assert.equal(plain.text, 'from.balance -= amount;');
    const missing = { file: join(directory, 'gone.js'), line: 3, column: 1 };
    assert.deepEqual(new SiteResolver().resolve(missing), missing);
  });
});
