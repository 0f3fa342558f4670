// The README's troubleshooting table names every condition reason the operator sets, and the
// README points only at files inside the repository.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/** The words a line sets or types as a condition reason: `reason: 'X'`, `reason: 'X' | 'Y'`, `| 'Z'`. */
function reasonsSetIn(files: string[]): Set<string> {
  const reasons = new Set<string>();
  for (const file of files) {
    let inReasonUnion = false;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (/^\s*\/\//.test(line)) continue;
      const reasonLine = /reason\??:|Reason =/.test(line);
      // A union of reasons spread over lines: `type XReason =` then `| 'A'` lines.
      if (/Reason =\s*$/.test(line)) inReasonUnion = true;
      else if (inReasonUnion && !/^\s*\|/.test(line)) inReasonUnion = false;
      if (!reasonLine && !inReasonUnion) continue;
      for (const [, word] of line.matchAll(/(?:reason\??:\s*|\|\s*)'([A-Z][A-Za-z]+)'/g))
        reasons.add(word ?? '');
    }
  }
  return reasons;
}

test('every condition reason the operator sets has a row in the troubleshooting table', () => {
  const table = readme.slice(readme.indexOf('### Troubleshooting'));
  // kubectl-plugin reads the reasons of exec results, which are not conditions.
  const reasons = reasonsSetIn(
    sources(join(repoRoot, 'packages/koji-operator/src')).filter((f) => !f.includes('/kubectl-plugin/')),
  );
  // Reasons the framework sets on every CR.
  for (const r of ['HandlerRetrying', 'HandlerFailed', 'Reconciled']) reasons.add(r);
  expect(reasons.size).toBeGreaterThan(15);
  const missing = [...reasons].filter((r) => !new RegExp(`^\\|[^|\\n]*\`${r}\``, 'm').test(table));
  expect(missing).toEqual([]);
});

test('the README points at nothing outside the repository', () => {
  expect(readme).not.toMatch(/\]\(\.\.\/|`\.\.\/|\/work\/|shared\/(DESIGN|notes)/);
  for (const [, target] of readme.matchAll(/\]\((?!https?:|#)([^)#]+)/g))
    expect({ target, exists: existsSync(join(repoRoot, target ?? '')) }).toEqual({ target, exists: true });
});
