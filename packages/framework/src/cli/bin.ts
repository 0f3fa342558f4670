#!/usr/bin/env node
// The `fedora-operator` command as npm installs it (node_modules/.bin symlink, `npm exec`, a
// global install or a direct path): it always runs, whatever argv[1] looks like. It loads
// nothing heavy before checking the Node version, because on an older Node the Kubernetes
// client's HTTP stack (undici) crashes while loading, before any message could be printed.
//
// Fails: an older Node -> one line naming the version needed, exit 1; anything else -> main()'s
// exit code, or the error's stack and exit 1.
import { readFileSync } from 'node:fs';
import { nodeVersionProblem } from './node-version.js';

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  engines?: { node?: string };
};
const problem = nodeVersionProblem(process.versions.node, manifest.engines?.node ?? '');
if (problem) {
  console.error(`fedora-operator: ${problem}`);
  process.exit(1);
}
const { main } = await import('./main.js');
main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
