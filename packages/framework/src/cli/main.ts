// `fedora-operator <command>`: dispatches to the commands and turns their UsageErrors (and
// node:util parseArgs' own errors) into one message and an exit code, never a stack trace
// for a typing mistake.
import { clusterCommand } from './cluster.js';
import { generateCommand } from './generate.js';
import { frameworkVersion, initCommand } from './init.js';
import { runCommand } from './run.js';
import { UsageError } from './usage-error.js';

export const usage = `fedora-operator: build and run Kubernetes operators with @fedora-operators/framework

usage: fedora-operator <command> [options]

commands:
  init <name>                 create an operator project: controller, test, Dockerfile, deploy/ (see: fedora-operator init --help)
  run <module> [options]      run the controllers a compiled module exports (see: fedora-operator run --help)
  generate crds <module>      CustomResourceDefinitions from the controllers' \`crd\` schemas
  generate rbac <module>      the ClusterRole/Role the controllers need (see: fedora-operator generate --help)
  cluster [--crds <dir>]      an embedded kube-apiserver to try an operator on, until Ctrl-C

options:
  -h, --help                  this text
  -v, --version               the framework's version

The module's default export lists the controller classes, e.g. \`export default [WidgetController]\`.
Docs: the README of @fedora-operators/framework (node_modules/@fedora-operators/framework/README.md).`;

type Command = (argv: string[], env: NodeJS.ProcessEnv) => Promise<number>;

const commands: Record<string, Command> = {
  run: runCommand,
  generate: (argv) => generateCommand(argv),
  init: (argv) => initCommand(argv),
  cluster: (argv) => clusterCommand(argv),
};

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
      console.log(usage);
      return first === undefined ? 2 : 0;
    }
    if (first === '-v' || first === '--version') {
      console.log(frameworkVersion());
      return 0;
    }
    const command = commands[first];
    if (!command) throw new UsageError(`unknown command '${first}'\n\n${usage}`, 2);
    return await command(first === 'run' ? argv : rest, env);
  } catch (error) {
    const usageError = asUsageError(error);
    if (!usageError) throw error;
    (usageError.exitCode === 0 ? console.log : console.error)(
      usageError.exitCode === 0 ? usageError.message : `fedora-operator: ${usageError.message}`,
    );
    return usageError.exitCode;
  }
}

function asUsageError(error: unknown): UsageError | undefined {
  if (error instanceof UsageError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
    return new UsageError((error as Error).message, 2);
  }
  return undefined;
}
