// The koji images for the real node, built locally from Debian, PyPI and npm packages and
// tagged with the contract's own references (quay.io/koji-operator/<name>:<tag>), so the
// operator's default pod specs run unchanged with no registry (the kubelet finds the tag in
// containerd and pulls nothing). Each follows packages/koji-operator/src/images/contract.ts:
// user and group ids, ports, command and arguments, paths, the directories it creates.
//
// What is real and what is a stand-in (STANDINS below says the same for the demo and tests):
//   koji-hub      real Apache httpd + mod_ssl + mod_wsgi (Debian) with the operator's config;
//                 the WSGI application at koji's hub path is the project's hub emulator
//                 (no registry ships koji's hub), with psql for the schema Job;
//   koji-cli      the real koji CLI (PyPI koji);
//   kojira        the real kojira (PyPI koji);
//   koji-web      real Apache httpd; kojiweb's publisher is a stand-in that checks its config
//                 and files and talks to the hub (no registry ships kojiweb);
//   kojid         a stand-in that checks what kojid reads and logs in (no registry ships it),
//                 with a stand-in of Fedora's update-ca-trust (Debian's tool differs);
//   koji-operator the operator's built packages on Node 24 from npm;
//   postgres      PostgreSQL 15 from Debian with an entrypoint like the official image's.
//
// Fails when: a base layer cannot be built (debian-base.ts), the operator is not built
// (`npm run build`), or npm cannot install its production dependencies.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  chownSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  images,
  kojidPaths,
  type ImageContract,
  type ImageName,
} from '../../packages/koji-operator/src/images/contract.ts';
import { buildImageArchive, cachedLayer, type ImageSpec, type LayerSpec } from '../cluster/local-images.ts';
import { debianBaseLayer } from './debian-base.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');

export const POSTGRES_IMAGE = 'localhost/postgres:15';

export const STANDINS: Record<ImageName | 'postgres', string> = {
  'koji-hub':
    "real Apache httpd + mod_ssl + mod_wsgi; the WSGI app is the project's hub emulator (stand-in for koji's hub)",
  'koji-web': "real Apache httpd; kojiweb's publisher is a STAND-IN (no registry ships kojiweb)",
  kojira: 'real kojira (PyPI koji)',
  kojid:
    "STAND-IN kojid: checks its files, the hub's CA in its trust and topurl, logs in, builds nothing (no registry ships kojid); update-ca-trust is a STAND-IN too",
  'koji-cli': 'real koji CLI (PyPI koji)',
  'koji-operator': "the operator's own build on Node 24 (npm)",
  postgres: 'real PostgreSQL 15 (Debian)',
};

function digestOf(paths: string[]): string {
  const hash = createHash('sha256');
  for (const path of paths) hash.update(path).update(readFileSync(path));
  return hash.digest('hex');
}

const files = (name: string) => join(here, 'files', name);
const emulator = join(repoRoot, 'test', 'koji-hub', 'kojihub_emulator.py');
const schema = join(repoRoot, 'test', 'koji-hub', 'schema.sql');
const ownFiles = [
  files('httpd.conf'),
  files('00-modules.conf'),
  files('httpd-wrapper.sh'),
  files('postgres-entrypoint.sh'),
  files('standin_kojid.py'),
  files('standin_kojiweb.py'),
  files('standin-update-ca-trust.sh'),
  emulator,
  schema,
];

/** The koji files layer: the httpd layout, the hub application, stand-ins and directories. */
function kojiFilesLayer(cacheDir: string): LayerSpec {
  const dirs = Object.values(images).flatMap((image) => image.directories.map((d) => ({ d, image })));
  return {
    key: JSON.stringify({
      files: digestOf(ownFiles),
      dirs: dirs.map(({ d, image }) => [d, image.user.uid]),
      v: 1,
    }),
    make: () => {
      const root = join(cacheDir, 'rootfs', 'koji-files');
      rmSync(root, { recursive: true, force: true });
      const put = (source: string, target: string, mode = 0o644) => {
        mkdirSync(dirname(join(root, target)), { recursive: true });
        copyFileSync(source, join(root, target));
        chmodSync(join(root, target), mode);
      };
      // httpd as Fedora lays it out: ServerRoot /etc/httpd, modules/ -> the module folder.
      put(files('httpd.conf'), 'etc/httpd/conf/httpd.conf');
      put(files('00-modules.conf'), 'etc/httpd/conf.modules.d/00-modules.conf');
      mkdirSync(join(root, 'etc/httpd/conf.d'), { recursive: true });
      symlinkSync('/usr/lib/apache2/modules', join(root, 'etc/httpd/modules'));
      symlinkSync('/var/log/httpd', join(root, 'etc/httpd/logs'));
      symlinkSync('/run/httpd', join(root, 'etc/httpd/run'));
      mkdirSync(join(root, 'usr/lib/apache2/modules'), { recursive: true });
      symlinkSync('mod_wsgi.so', join(root, 'usr/lib/apache2/modules/mod_wsgi_python3.so'));
      put(files('httpd-wrapper.sh'), 'usr/sbin/httpd', 0o755);
      mkdirSync(join(root, 'var/log/httpd'), { recursive: true });
      mkdirSync(join(root, 'var/www/html'), { recursive: true });
      // koji's hub at its path, and the schema where the schema Job looks.
      put(emulator, 'usr/share/koji-hub/kojiapp.py');
      put(schema, 'usr/share/koji/schema.sql');
      // Stand-ins where kojiweb and kojid would be.
      put(files('standin_kojiweb.py'), 'usr/share/koji-web/scripts/wsgi_publisher.py');
      mkdirSync(join(root, 'usr/share/koji-web/static'), { recursive: true });
      put(files('standin_kojid.py'), 'usr/local/bin/kojid', 0o755);
      // Fedora's tool at Fedora's path, for the kojid pod's trust-hub-ca init container.
      put(files('standin-update-ca-trust.sh'), kojidPaths.updateCaTrust.slice(1), 0o755);
      put(files('postgres-entrypoint.sh'), 'usr/local/bin/postgres-entrypoint', 0o755);
      // The directories the contract says each image creates, owned by its user.
      for (const { d, image } of dirs) {
        const path = join(root, d);
        mkdirSync(path, { recursive: true });
        chownSync(path, image.user.uid, image.user.gid);
        chmodSync(path, 0o750);
      }
      mkdirSync(join(root, 'var/lib/postgresql'), { recursive: true });
      chownSync(join(root, 'var/lib/postgresql'), 999, 999);
      // The directories tar records for the parents must keep the base's owners and modes.
      for (const parent of [
        'etc',
        'usr',
        'usr/share',
        'usr/local',
        'usr/local/bin',
        'usr/bin',
        'usr/lib',
        'usr/sbin',
        'var',
        'var/lib',
        'var/log',
        'var/tmp',
        'run',
        'mnt',
        'home',
        'var/cache',
      ]) {
        try {
          chmodSync(join(root, parent), parent === 'var/tmp' ? 0o1777 : 0o755);
        } catch {
          // not in this layer
        }
      }
      return root;
    },
  };
}

/** The operator: its built packages with production dependencies, and Node 24 from npm. */
function operatorLayer(cacheDir: string, log: (m: string) => void): LayerSpec {
  const dist = execFileSync(
    'sh',
    [
      '-c',
      'find packages/*/dist packages/*/package.json package.json package-lock.json -type f | sort | xargs sha256sum | sha256sum',
    ],
    {
      cwd: repoRoot,
      encoding: 'utf8',
    },
  );
  return {
    key: JSON.stringify({ operator: dist.trim(), v: 1 }),
    make: () => {
      const root = join(cacheDir, 'rootfs', 'koji-operator');
      const app = join(root, 'opt', 'koji-operator');
      rmSync(root, { recursive: true, force: true });
      mkdirSync(app, { recursive: true });
      for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(repoRoot, f), join(app, f));
      for (const pkg of ['framework', 'koji-operator']) {
        mkdirSync(join(app, 'packages', pkg), { recursive: true });
        copyFileSync(
          join(repoRoot, 'packages', pkg, 'package.json'),
          join(app, 'packages', pkg, 'package.json'),
        );
        cpSync(join(repoRoot, 'packages', pkg, 'dist'), join(app, 'packages', pkg, 'dist'), {
          recursive: true,
        });
      }
      log('installing the operator production dependencies (npm ci --omit=dev)');
      execFileSync(
        'npm',
        ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
        {
          cwd: app,
          stdio: ['ignore', 'inherit', 'inherit'],
        },
      );
      // Node 24 as the repository pins it (the `node` devDependency, from npm).
      mkdirSync(join(root, 'usr', 'local', 'bin'), { recursive: true });
      copyFileSync(
        join(repoRoot, 'node_modules', 'node', 'bin', 'node'),
        join(root, 'usr', 'local', 'bin', 'node'),
      );
      chmodSync(join(root, 'usr', 'local', 'bin', 'node'), 0o755);
      return root;
    },
  };
}

function imageSpec(contract: ImageContract, layers: LayerSpec[], workingDir = '/'): ImageSpec {
  return {
    ref: contract.reference,
    layers,
    entrypoint: contract.command,
    cmd: contract.args,
    user: `${contract.user.uid}:${contract.user.gid}`,
    workingDir,
    exposedPorts: contract.ports.map((p) => `${p.port}/tcp`),
  };
}

/**
 * The layers that need no build of the operator, made and cached ahead of the tests (setup's
 * scripts/setup.d/real-node.sh): the Debian base (minutes) and the koji files. kojiImages()
 * then only adds the operator's layer and writes the archive.
 */
export async function prepareKojiLayers(cacheDir: string, log: (m: string) => void): Promise<void> {
  for (const layer of [debianBaseLayer(cacheDir, log), kojiFilesLayer(cacheDir)]) {
    await cachedLayer(layer, cacheDir);
  }
}

/** One archive with every koji image and PostgreSQL (built once per machine, then cached). */
export async function kojiImages(cacheDir: string, log: (m: string) => void): Promise<string> {
  const base = debianBaseLayer(cacheDir, log);
  const kojiFiles = kojiFilesLayer(cacheDir);
  const layers = [base, kojiFiles];
  const specs: ImageSpec[] = [
    imageSpec(images['koji-hub'], layers),
    imageSpec(images['koji-web'], layers),
    imageSpec(images.kojira, layers),
    imageSpec(images.kojid, layers),
    imageSpec(images['koji-cli'], layers, '/home/koji'),
    imageSpec(images['koji-operator'], [base, operatorLayer(cacheDir, log)], '/opt/koji-operator'),
    {
      ref: POSTGRES_IMAGE,
      layers,
      entrypoint: ['postgres-entrypoint'],
      user: '999:999',
      env: [
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        'PGDATA=/var/lib/postgresql/data',
      ],
      exposedPorts: ['5432/tcp'],
    },
  ];
  writeFileSync(join(cacheDir, 'STANDINS.json'), JSON.stringify(STANDINS, null, 2));
  return buildImageArchive(specs, cacheDir);
}
