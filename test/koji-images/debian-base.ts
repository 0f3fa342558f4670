// The bottom layer of the locally built koji images: one Debian bookworm root filesystem made by
// mmdebstrap from Debian's own packages (Apache httpd, mod_ssl, mod_wsgi, Python 3, PostgreSQL
// 15), plus the PyPI `koji` package (library, `koji`, `kojira`, `koji-gc`, `koji-sweep-db`)
// installed from its wheel, and the users of the image contract created with their fixed ids
// before any package could take them. Shared by every koji image, so it is built and imported
// once; cached per machine by its package list and koji version.
//
// Fails when: mmdebstrap is missing (setup-node.sh installs it), Debian's mirror or PyPI does not
// answer (the error carries mmdebstrap's or pip's output), or the disk is full.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { images, kojiVersion } from '../../packages/koji-operator/src/images/contract.ts';
import type { LayerSpec } from '../cluster/local-images.ts';

export const DEBIAN_SUITE = 'bookworm';
const MIRRORS = [
  `deb http://deb.debian.org/debian ${DEBIAN_SUITE} main`,
  `deb http://deb.debian.org/debian ${DEBIAN_SUITE}-updates main`,
  `deb http://deb.debian.org/debian-security ${DEBIAN_SUITE}-security main`,
];

/** Debian's packages for what the Fedora images install (contract.ts `packages`). */
export const DEBIAN_PACKAGES = [
  // httpd, mod_ssl (built into Debian's apache2), python3-mod_wsgi
  'apache2',
  'libapache2-mod-wsgi-py3',
  // koji's Python dependencies (koji itself comes from PyPI)
  'python3',
  'python3-pip',
  'python3-requests',
  'python3-dateutil',
  'python3-six',
  'python3-defusedxml',
  // the hub emulator's database driver
  'python3-psycopg',
  // psql for the schema Job, and the server of the PostgreSQL image
  'postgresql-15',
];

/** The contract's users (and PostgreSQL's), created before the packages are installed. */
export function contractUsers(): { name: string; uid: number; group: string; gid: number; home: string }[] {
  const seen = new Set<string>();
  const users = [
    ...Object.values(images).map((image) => ({
      ...image.user,
      home: image.name === 'koji-cli' ? '/home/koji' : '/nonexistent',
    })),
    // The official postgres image's ids.
    { name: 'postgres', uid: 999, group: 'postgres', gid: 999, home: '/var/lib/postgresql' },
  ];
  return users.filter((u) => u.uid !== 0 && !seen.has(u.name) && seen.add(u.name));
}

/** Appends the users to the root filesystem's account files (minbase has no useradd yet). */
function userCommands(): string {
  const lines: string[] = [];
  const groups = new Set<string>();
  for (const u of contractUsers()) {
    // kojira shares apache's ids (it deletes what the hub wrote): same numbers, own names.
    if (!groups.has(u.group)) {
      lines.push(
        `echo '${u.group}:x:${u.gid}:' >> "$1/etc/group"`,
        `echo '${u.group}:!::' >> "$1/etc/gshadow"`,
      );
    }
    groups.add(u.group);
    lines.push(
      `echo '${u.name}:x:${u.uid}:${u.gid}::${u.home}:/usr/sbin/nologin' >> "$1/etc/passwd"`,
      `echo '${u.name}:!:19000::::::' >> "$1/etc/shadow"`,
    );
  }
  return lines.join(' && ');
}

function kojiWheel(wheelDir: string): string {
  const venvPip = join(process.env.KOJI_HUB_VENV ?? join(homedir(), '.cache', 'koji-hub-venv'), 'bin', 'pip');
  if (!existsSync(venvPip))
    throw new Error(`test/koji-images: ${venvPip} is missing; run 'bash test/koji-hub/setup.sh'`);
  mkdirSync(wheelDir, { recursive: true });
  const find = () =>
    readdirSync(wheelDir).find((f) => f.startsWith(`koji-${kojiVersion}-`) && f.endsWith('.whl'));
  if (!find()) {
    execFileSync(
      venvPip,
      ['download', '--quiet', '--no-deps', '--only-binary=:all:', '--dest', wheelDir, `koji==${kojiVersion}`],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
  }
  const wheel = find();
  if (!wheel) throw new Error(`test/koji-images: pip did not download koji==${kojiVersion}`);
  return join(wheelDir, wheel);
}

export function debianBaseLayer(cacheDir: string, log: (m: string) => void): LayerSpec {
  return {
    key: JSON.stringify({
      suite: DEBIAN_SUITE,
      packages: DEBIAN_PACKAGES,
      koji: kojiVersion,
      users: contractUsers(),
      v: 1,
    }),
    make: () => {
      const wheel = kojiWheel(join(cacheDir, 'wheels'));
      const out = join(cacheDir, 'debian-base.tar');
      rmSync(out, { force: true });
      log(
        `building the Debian ${DEBIAN_SUITE} base with mmdebstrap (${DEBIAN_PACKAGES.join(', ')}) and koji ${kojiVersion} from PyPI; a few minutes`,
      );
      const started = Date.now();
      execFileSync(
        // A private mount namespace: mmdebstrap's /proc, /sys and /dev mounts in the chroot
        // cannot outlive it, even if it is killed.
        'unshare',
        [
          '--mount',
          '--propagation',
          'private',
          'mmdebstrap',
          '--variant=minbase',
          '--mode=root',
          '--format=tar',
          `--include=${DEBIAN_PACKAGES.join(',')}`,
          // No default PostgreSQL cluster: the image's entrypoint makes its own in PGDATA.
          '--essential-hook=mkdir -p "$1/etc/postgresql-common/createcluster.d" && echo "create_main_cluster = false" > "$1/etc/postgresql-common/createcluster.d/no-main.conf"',
          `--essential-hook=${userCommands()}`,
          `--customize-hook=copy-in ${wheel} /tmp`,
          `--customize-hook=chroot "$1" python3 -m pip install --quiet --no-index --no-deps --break-system-packages /tmp/${wheel.split('/').pop()} && rm -f "$1"/tmp/*.whl`,
          '--customize-hook=rm -rf "$1"/var/cache/apt/* "$1"/usr/share/doc/* "$1"/usr/share/man/*',
          DEBIAN_SUITE,
          out,
          ...MIRRORS,
        ],
        { stdio: ['ignore', 'inherit', 'inherit'] },
      );
      log(`Debian base built in ${((Date.now() - started) / 1000).toFixed(0)}s`);
      return out;
    },
  };
}
