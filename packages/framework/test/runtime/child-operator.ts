// Runs the framework's CLI on a fixture operator module in a child process, as an operator
// image would, and collects its output.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', '..', 'dist', 'cli', 'bin.js');
const fixtures = join(here, '..', 'fixtures');

export interface ChildOperator {
  process: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function startChildOperator(
  identity: string,
  args: string[],
  { fixture = 'runner-operator.mjs', env = {} }: { fixture?: string; env?: NodeJS.ProcessEnv } = {},
): ChildOperator {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run 'npm run build' first (npm test does)`);
  let output = '';
  const module = join(fixtures, fixture);
  const child = spawn(process.execPath, [cli, 'run', module, '--log-format', 'text', ...args], {
    env: { ...process.env, ...env, POD_NAME: identity },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { process: child, output: () => output, exited };
}
