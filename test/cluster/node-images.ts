// The images every real node needs before any test image: the pod sandbox (pause), CoreDNS,
// and a busybox image for small test pods (Debian's busybox-static, with every applet linked).
// Root filesystems are assembled under the build cache from binaries built by build.sh --node.
//
// Fails when: a binary is missing (run build.sh --node), or busybox-static is not installed
// (setup-node.sh installs it).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildImageArchive, sha256File, type ImageSpec } from './local-images.ts';
import { PAUSE_IMAGE } from './node-config.ts';

export const COREDNS_IMAGE = 'localhost/coredns:1.13.1';
export const BUSYBOX_IMAGE = 'localhost/busybox:1';

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\n';

function freshDir(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  for (const sub of ['etc', 'tmp', 'proc', 'sys', 'dev', 'root'])
    mkdirSync(join(dir, sub), { recursive: true });
  chmodSync(join(dir, 'tmp'), 0o1777);
  writeFileSync(join(dir, 'etc', 'passwd'), PASSWD);
  writeFileSync(join(dir, 'etc', 'group'), GROUP);
  return dir;
}

function singleBinaryRoot(dir: string, binary: string, name: string): string {
  if (!existsSync(binary))
    throw new Error(`test/cluster: ${binary} is missing; run 'bash test/cluster/build.sh --node'`);
  freshDir(dir);
  copyFileSync(binary, join(dir, name));
  chmodSync(join(dir, name), 0o755);
  return dir;
}

function busyboxRoot(dir: string): string {
  const busybox = '/bin/busybox';
  if (!existsSync(busybox)) {
    throw new Error(
      'test/cluster: /bin/busybox is missing; install busybox-static (bash test/cluster/setup-node.sh)',
    );
  }
  freshDir(dir);
  mkdirSync(join(dir, 'bin'));
  copyFileSync(busybox, join(dir, 'bin', 'busybox'));
  chmodSync(join(dir, 'bin', 'busybox'), 0o755);
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const applet of applets) if (applet !== 'busybox') symlinkSync('busybox', join(dir, 'bin', applet));
  return dir;
}

/** The archive of the node's base images (built once per machine, then found in the cache). */
export async function nodeBaseImages(binDir: string, cacheDir: string): Promise<string> {
  const roots = join(cacheDir, 'rootfs');
  const digest = async (file: string) => (existsSync(file) ? await sha256File(file) : 'missing');
  const specs: ImageSpec[] = [
    {
      ref: PAUSE_IMAGE,
      layers: [
        {
          key: `pause ${await digest(join(binDir, 'pause'))}`,
          make: () => singleBinaryRoot(join(roots, 'pause'), join(binDir, 'pause'), 'pause'),
        },
      ],
      entrypoint: ['/pause'],
    },
    {
      ref: COREDNS_IMAGE,
      layers: [
        {
          key: `coredns ${await digest(join(binDir, 'coredns'))}`,
          make: () => singleBinaryRoot(join(roots, 'coredns'), join(binDir, 'coredns'), 'coredns'),
        },
      ],
      entrypoint: ['/coredns'],
    },
    {
      ref: BUSYBOX_IMAGE,
      layers: [
        { key: `busybox ${await digest('/bin/busybox')}`, make: () => busyboxRoot(join(roots, 'busybox')) },
      ],
      cmd: ['/bin/sh'],
    },
  ];
  return buildImageArchive(specs, cacheDir);
}
