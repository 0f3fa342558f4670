// Builds the images of the contract (packages/koji-operator/src/images/contract.ts), and pushes
// them with --push. Run from the repository root after `npm run build`:
//   node images/build.ts [--engine podman|docker] [--push] [--registry R] [--dry-run] [name ...]
// Fails on the first command that fails, with its exit status.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { buildCommands } from '../packages/koji-operator/dist/images/build-plan.js';
import type { ImageName } from '../packages/koji-operator/dist/images/contract.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    engine: { type: 'string', default: 'podman' },
    push: { type: 'boolean', default: false },
    registry: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  },
});
if (values.engine !== 'podman' && values.engine !== 'docker') {
  console.error(`--engine must be podman or docker, not ${values.engine}`);
  process.exit(2);
}
let commands: string[][];
try {
  commands = buildCommands({
    engine: values.engine,
    push: values.push,
    ...(values.registry ? { registry: values.registry } : {}),
    ...(positionals.length ? { only: positionals as ImageName[] } : {}),
  });
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
for (const argv of commands) {
  console.log(`$ ${argv.join(' ')}`);
  if (values['dry-run']) continue;
  const [cmd = '', ...args] = argv;
  const run = spawnSync(cmd, args, { stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(run.error ? `${cmd}: ${run.error.message}` : `failed with status ${run.status}`);
    process.exit(run.status ?? 1);
  }
}
