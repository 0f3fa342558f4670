// A package-lock.json for a project outside the monorepo, cut from the monorepo's own lock:
// the project's dependencies (the framework from a tarball, the rest by name) pinned to the
// versions the monorepo installed, so `npm ci --offline` takes every package from the npm
// cache that the monorepo's `npm ci` filled, and nothing from the network.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

interface Lock {
  packages: Record<string, LockEntry>;
}

const FRAMEWORK = 'node_modules/@fedora-operators/framework';

/** Where node would find `name` from the package installed at `from` (hoisting). */
function resolveFrom(lock: Lock, from: string, name: string): string | undefined {
  let at = from;
  for (;;) {
    const key = `${at ? `${at}/` : ''}node_modules/${name}`;
    if (lock.packages[key] && !lock.packages[key].link) return key;
    if (!at) return undefined;
    const i = at.lastIndexOf('node_modules/');
    at = i <= 0 ? '' : at.slice(0, i - 1);
  }
}

export function offlineLockfile(options: {
  monorepoLock: string;
  project: { name: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };
  frameworkTarball: string;
  /** The tarball as package.json names it (file:...). */
  frameworkSpec: string;
}): string {
  const lock = JSON.parse(readFileSync(options.monorepoLock, 'utf8')) as Lock;
  const framework = lock.packages['packages/framework'] ?? {};
  const out: Record<string, LockEntry> = {
    '': {
      name: options.project.name,
      version: '0.1.0',
      dependencies: options.project.dependencies,
      devDependencies: options.project.devDependencies,
    },
    [FRAMEWORK]: {
      ...framework,
      resolved: options.frameworkSpec,
      integrity: `sha512-${createHash('sha512').update(readFileSync(options.frameworkTarball)).digest('base64')}`,
    },
  };
  delete out[FRAMEWORK]?.devDependencies;
  const toProject = (key: string) =>
    key.startsWith('packages/framework/') ? `${FRAMEWORK}/${key.slice('packages/framework/'.length)}` : key;
  const queue: { mono: string; names: string[]; dev: boolean }[] = [
    { mono: 'packages/framework', names: Object.keys(framework.dependencies ?? {}), dev: false },
    { mono: '', names: Object.keys(options.project.devDependencies), dev: true },
  ];
  while (queue.length > 0) {
    const { mono, names, dev } = queue.shift() as (typeof queue)[number];
    for (const name of names) {
      const found = resolveFrom(lock, mono, name);
      if (!found) continue; // an optional dependency for another platform
      const key = toProject(found);
      if (out[key]) continue;
      const entry = { ...(lock.packages[found] as LockEntry) };
      if (dev) entry.dev = true;
      else delete entry.dev;
      delete entry.devOptional;
      out[key] = entry;
      const optionalPeers = entry.peerDependenciesMeta ?? {};
      queue.push({
        mono: found,
        names: [
          ...Object.keys(entry.dependencies ?? {}),
          ...Object.keys(entry.optionalDependencies ?? {}),
          ...Object.keys(entry.peerDependencies ?? {}).filter((p) => !optionalPeers[p]?.optional),
        ],
        dev,
      });
    }
  }
  return `${JSON.stringify({ name: options.project.name, version: '0.1.0', lockfileVersion: 3, requires: true, packages: out }, null, 2)}\n`;
}
