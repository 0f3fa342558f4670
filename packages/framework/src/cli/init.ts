// `fedora-operator init <name>`: a new operator project in ./<name> (or --dir), ready for
// `npm install && npm test`.
//
// Fails with a UsageError (exit 2): a name that is not a DNS label, a kind that is not
// CamelCase, or a target folder that exists and is not empty (nothing is overwritten).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { projectFiles } from '../scaffold/project-files.js';
import { UsageError } from './usage-error.js';

export const initUsage = `usage: fedora-operator init <name> [options]
  --dir <dir>                   where to create it; default ./<name>
  --kind <Kind>                 the kind its controller serves; default Widget
  --group <group>               its API group; default <name>.example.com
  --framework <spec>            how package.json names the framework; default ^<this version>`;

export async function initCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      kind: { type: 'string' },
      group: { type: 'string' },
      framework: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) throw new UsageError(initUsage, 0);
  const [name] = positionals;
  if (!name) throw new UsageError(initUsage, 2);
  if (!/^[a-z]([-a-z0-9]{0,50}[a-z0-9])?$/.test(name)) {
    throw new UsageError(
      `'${name}' is not a usable name: lowercase letters, digits and '-', starting with a letter`,
      2,
    );
  }
  const kind = values.kind ?? 'Widget';
  if (!/^[A-Z][A-Za-z0-9]{0,62}$/.test(kind))
    throw new UsageError(`--kind '${kind}' must be CamelCase, e.g. Widget`, 2);
  const dir = resolve(values.dir ?? name);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new UsageError(`${dir} exists and is not empty; choose another --dir`, 2);
  }
  const files = projectFiles({
    name,
    kind,
    group: values.group ?? `${name}.example.com`,
    frameworkSpec: values.framework ?? `^${frameworkVersion()}`,
  });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  console.log(`created ${name} in ${dir}

next:
  cd ${values.dir ?? name}
  npm install
  npm test          # the first run builds etcd + kube-apiserver, once per machine (needs Go;
                    #   about 10 minutes on 2 quiet cores, far longer on a busy machine)
  npm run build     # also writes deploy/crds/ and deploy/rbac.yaml`);
  return 0;
}

export function frameworkVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}
