#!/usr/bin/env node
// koji-operator: runs the Koji operator (dist/main.js) through the framework's command line,
// after taking its own flags (image-flags.ts): `koji-operator [--image name=ref]...
// [--image-registry registry] [fedora-operator options]`. `--help` shows the framework's options.
//
// Sharded (--shards / OPERATOR_SHARDS), it shards by namespace (shard-key.ts).
//
// How it fails: a bad image flag or a shard key other than namespace prints why and exits 2;
// the framework's own errors and exit codes are its own.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ImageFlagError, parseImageFlags } from './image-flags.js';
import { kojiShardKeyEnv, ShardKeyError } from './shard-key.js';

/** The framework's CLI script: the `fedora-operator` bin its package.json declares. */
function frameworkCli(): string {
  let dir = dirname(fileURLToPath(import.meta.resolve('@fedora-operators/framework')));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        bin?: Record<string, string>;
      };
      const bin = pkg.name === '@fedora-operators/framework' ? pkg.bin?.['fedora-operator'] : undefined;
      if (bin) return join(dir, bin);
    } catch {
      // not the package root yet
    }
    if (dirname(dir) === dir)
      throw new Error('cannot find the fedora-operator command of @fedora-operators/framework');
    dir = dirname(dir);
  }
}

try {
  const { env, rest } = parseImageFlags(process.argv.slice(2));
  Object.assign(process.env, env, kojiShardKeyEnv(rest, process.env));
  const cli = frameworkCli();
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  // The framework's CLI runs when it is the script being executed.
  process.argv = [process.argv[0] ?? 'node', cli, 'run', main, ...rest];
  await import(pathToFileURL(cli).href);
} catch (error) {
  if (!(error instanceof ImageFlagError || error instanceof ShardKeyError)) throw error;
  console.error(`koji-operator: ${error.message}`);
  process.exit(2);
}
