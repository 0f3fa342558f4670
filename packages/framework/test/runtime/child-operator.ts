// Runs the framework's CLI on a fixture operator module in a child process, as an operator
// image would, and collects its output.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', '..', 'dist', 'cli', 'bin.js');
const fixture = join(here, '..', 'fixtures', 'runner-operator.mjs');

export interface ChildOperator {
  process: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function startChildOperator(identity: string, args: string[]): ChildOperator {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run 'npm run build' first (npm test does)`);
  let output = '';
  const child = spawn(process.execPath, [cli, 'run', fixture, '--log-format', 'text', ...args], {
    env: { ...process.env, POD_NAME: identity },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { process: child, output: () => output, exited };
}
