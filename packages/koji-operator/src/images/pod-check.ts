// Checks a pod spec against the image contract and says, in words, every way it differs: the
// command, the ids, the mounts and their modes, the ports, the probes, and the files a rendered
// config names. The unit tests check what the renderers make; the integration tests check what
// the apiserver stored; a pod built for the locally built stand-in images can be checked too.
//
// How it fails: it does not throw; a container it cannot place (no image for its name) is
// itself reported.
import { images, type ImageContract, type ImageName } from './contract.js';

// Loose shapes: the pod may come from the renderers or from the apiserver.
interface Mount {
  name: string;
  mountPath: string;
  subPath?: string;
  readOnly?: boolean;
}
interface CheckedContainer {
  name: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  volumeMounts?: Mount[];
  securityContext?: Record<string, unknown>;
  readinessProbe?: Record<string, unknown>;
  livenessProbe?: Record<string, unknown>;
  resources?: { requests?: Record<string, unknown> };
}
export interface CheckedPod {
  securityContext?: Record<string, unknown>;
  automountServiceAccountToken?: boolean;
  initContainers?: CheckedContainer[];
  containers: CheckedContainer[];
  volumes?: { name: string }[];
}

/** Which image each container of the operator's pods runs. */
export const containerImages: Readonly<Record<string, ImageName>> = {
  'koji-hub': 'koji-hub',
  'koji-mnt-layout': 'koji-hub',
  'koji-admin': 'koji-cli',
  'koji-web': 'koji-web',
  kojira: 'kojira',
  kojid: 'kojid',
  'select-identity': 'kojid',
  'trust-hub-ca': 'kojid',
  operator: 'koji-operator',
};

const under = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Every difference between the pod and the contract of the images its containers run.
 * `configText`: the rendered config files, whose certificate paths must be mounted.
 */
export function podContractViolations(pod: CheckedPod, configText = ''): string[] {
  const problems: string[] = [];
  const imageFor = (c: CheckedContainer): ImageContract | undefined => {
    const name = containerImages[c.name];
    if (!name) problems.push(`container ${c.name}: no image of the contract runs it`);
    return name ? images[name] : undefined;
  };
  const main = pod.containers[0] ? imageFor(pod.containers[0]) : undefined;
  if (main) {
    const sc = pod.securityContext ?? {};
    const want: Record<string, unknown> = {
      runAsUser: main.user.uid,
      runAsGroup: main.user.gid,
      fsGroup: main.user.gid,
      fsGroupChangePolicy: 'OnRootMismatch',
      ...(main.user.uid !== 0 ? { runAsNonRoot: true } : {}),
    };
    for (const [key, value] of Object.entries(want))
      if (sc[key] !== value)
        problems.push(`pod securityContext.${key} is ${String(sc[key])}, not ${String(value)}`);
  }
  for (const c of pod.containers) {
    const image = imageFor(c);
    if (image) problems.push(...containerViolations(c, image, pod));
  }
  for (const c of pod.initContainers ?? []) {
    const image = imageFor(c);
    if (!image) continue;
    const sc = c.securityContext ?? {};
    if (sc.runAsUser !== image.user.uid) problems.push(`init ${c.name}: runAsUser ${String(sc.runAsUser)}`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`init ${c.name}: may escalate privileges`);
  }
  const mounted = pod.containers.flatMap((c) => (c.volumeMounts ?? []).map((m) => m.mountPath));
  for (const file of new Set(
    configText.match(/\/etc\/(koji-pki|fedora-messaging\/tls)\/[\w.-]+(\/[\w.-]+)?/g),
  ))
    if (!mounted.some((p) => under(file, p)))
      problems.push(`a rendered config names ${file}, which no container mounts`);
  return problems;
}

function containerViolations(c: CheckedContainer, image: ImageContract, pod: CheckedPod): string[] {
  const problems: string[] = [];
  const say = (what: string) => problems.push(`container ${c.name}: ${what}`);
  if (!same(c.command, image.command))
    say(`command ${JSON.stringify(c.command)}, not ${JSON.stringify(image.command)}`);
  if (!same(c.args ?? [], image.args))
    say(`args ${JSON.stringify(c.args)}, not ${JSON.stringify(image.args)}`);
  const sc = c.securityContext ?? {};
  if (sc.runAsUser !== image.user.uid || sc.runAsGroup !== image.user.gid)
    say(`runs as ${String(sc.runAsUser)}:${String(sc.runAsGroup)}, not ${image.user.uid}:${image.user.gid}`);
  if (image.privileged) {
    if (sc.privileged !== true) say('is not privileged');
  } else {
    if (sc.privileged) say('is privileged');
    if (sc.allowPrivilegeEscalation !== false) say('may escalate privileges');
    if ((sc.readOnlyRootFilesystem ?? false) !== image.readOnlyRootFilesystem)
      say(`readOnlyRootFilesystem is ${String(sc.readOnlyRootFilesystem)}`);
    if (!same((sc.capabilities as { drop?: string[] } | undefined)?.drop, ['ALL']))
      say('does not drop all capabilities');
  }
  for (const port of c.ports ?? [])
    if (!image.ports.some((p) => p.name === port.name && p.port === port.containerPort))
      say(`port ${port.name}:${port.containerPort} is not the image's`);
  if (!c.resources?.requests) say('has no resource requests');

  const mounts = c.volumeMounts ?? [];
  for (const m of mounts) {
    const declared = image.volumes.find((v) => v.path === m.mountPath);
    if (!declared) {
      say(`mounts ${m.mountPath}, which the image does not declare`);
      continue;
    }
    if ((m.readOnly ?? false) === declared.writable)
      say(
        `mounts ${m.mountPath} ${m.readOnly ? 'read-only' : 'writable'}; the contract says ${declared.writable ? 'writable' : 'read-only'}`,
      );
    if (declared.file && m.subPath !== declared.path.split('/').at(-1))
      say(`mounts ${m.mountPath} without its file`);
    if (!(pod.volumes ?? []).some((v) => v.name === m.name))
      say(`mounts volume ${m.name}, which the pod lacks`);
  }
  const paths = mounts.map((m) => m.mountPath);
  for (const v of image.volumes.filter((v) => v.writable && !v.optional))
    if (!paths.includes(v.path)) say(`has no writable volume at ${v.path}`);
  for (const f of [...image.configFiles, ...image.certificateFiles])
    if (!f.optional && f.from !== 'image' && !paths.some((p) => under(f.path.replace(/\/$/, ''), p)))
      say(`reads ${f.path}, which is not mounted`);

  for (const kind of ['readiness', 'liveness'] as const) {
    const wanted = image.probes[kind];
    const actual = c[`${kind}Probe`] as
      | { exec?: { command?: string[] }; httpGet?: { path?: string; port?: string; scheme?: string } }
      | undefined;
    if (!wanted) {
      if (actual) say(`has a ${kind} probe the image does not offer`);
    } else if (!actual) say(`has no ${kind} probe`);
    else if (wanted.exec) {
      if (!same(actual.exec?.command, wanted.exec)) say(`${kind} probe is not the image's command`);
    } else {
      const port = (c.ports ?? []).find((p) => p.name === actual.httpGet?.port);
      if (actual.httpGet?.path !== wanted.httpGet?.path) say(`${kind} probe asks ${actual.httpGet?.path}`);
      if (!port) say(`${kind} probe asks port ${actual.httpGet?.port}, which the container does not serve`);
      // The apiserver defaults an unset scheme to HTTP.
      else if ((actual.httpGet?.scheme ?? 'HTTP') !== (port.name === 'https' ? 'HTTPS' : 'HTTP'))
        say(`${kind} probe speaks ${actual.httpGet?.scheme ?? 'HTTP'} to ${port.name}`);
    }
  }
  return problems;
}
