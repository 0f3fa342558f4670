#!/usr/bin/env node
// kubectl-koji: the `kubectl koji` plugin (kubectl finds it on PATH by its name). See plugin.ts.
import { runPlugin } from './plugin.js';

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

const code = await runPlugin(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
await Promise.all([flush(process.stdout), flush(process.stderr)]);
process.exit(code);
