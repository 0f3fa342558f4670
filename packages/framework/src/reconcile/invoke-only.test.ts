// HandlerRunner.invoke() (runner.ts) is the only place a handler method is called, so every
// handler kind gets the executor's timeout, error policy, retries, write gate and metrics. A
// structural check over the framework's sources: a handler's method is looked up by name, and
// a function is called with `.call`/`.apply`/`Reflect.apply`, nowhere else; controller
// instances are only handed to invoke() as its `owner`.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = join(dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

interface Hit {
  file: string;
  line: number;
  text: string;
}

function find(pattern: RegExp): Hit[] {
  return sources(src).flatMap((path) =>
    readFileSync(path, 'utf8')
      .split('\n')
      .flatMap((text, index) =>
        pattern.test(text) ? [{ file: relative(src, path), line: index + 1, text: text.trim() }] : [],
      ),
  );
}

/** The line range of `HandlerRunner.invoke()` in runner.ts. */
function invokeBody(): { from: number; to: number } {
  const lines = readFileSync(join(src, 'reconcile', 'runner.ts'), 'utf8').split('\n');
  const from = lines.findIndex((l) => /^ {2}async invoke\(/.test(l)) + 1;
  const to = lines.findIndex((l, i) => i >= from && /^ {2}\}$/.test(l)) + 1;
  expect(from).toBeGreaterThan(0);
  return { from, to };
}

const insideInvoke = (hit: Hit) => {
  const { from, to } = invokeBody();
  return hit.file === join('reconcile', 'runner.ts') && hit.line > from && hit.line < to;
};

test('a handler method is looked up by name only in invoke() (and checked to exist at registration)', () => {
  const lookups = find(/\[\s*[\w.]*\.method\s*\]/);
  const elsewhere = lookups.filter(
    (hit) => !insideInvoke(hit) && !(hit.file === 'registry.ts' && hit.text.includes('typeof')),
  );
  expect(elsewhere).toEqual([]);
  expect(lookups.filter(insideInvoke)).toHaveLength(1);
});

test('functions are called indirectly (.call, .apply, Reflect.apply) only in invoke()', () => {
  const indirect = find(/\.call\(|Reflect\.apply|\.apply\(\s*(this|owner|instance|null|undefined)\b/);
  expect(indirect.filter((hit) => !insideInvoke(hit))).toEqual([]);
  expect(indirect.filter(insideInvoke)).toHaveLength(1);
});

test('controller and hook instances are only handed to invoke() as its owner', () => {
  const uses = find(/\b(spec|owner)\.instance\b/);
  expect(uses.filter((hit) => !/^owner: (this\.)?(spec|owner)\.instance,$/.test(hit.text))).toEqual([]);
  expect(uses.length).toBeGreaterThan(0);
});
