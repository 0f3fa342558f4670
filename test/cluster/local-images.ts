// Container images without a registry: root filesystem layers (folders, or tarballs such as
// mmdebstrap's output) become a `docker save` archive that `ctr images import` loads into the
// node's containerd; pods then use the pinned local names with imagePullPolicy: Never.
// Several images go into one archive and share layers, so a large Debian base is written and
// imported once. Layers and archives are cached per machine under the build cache, keyed by
// what went into them (LayerSpec.key), so a second run imports without rebuilding.
//
// Fails when: GNU tar is missing (the error names the command), a layer's make() fails or
// returns a path that does not exist, or the cache folder is not writable.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

export interface LayerSpec {
  /** What the layer is made from (versions, package lists, file digests): its cache key. */
  key: string;
  /**
   * Makes the layer (only when not cached): a folder, or an uncompressed tar used unchanged
   * (and moved into the cache: it must be a file made for this layer).
   */
  make: () => string | Promise<string>;
}

export interface ImageSpec {
  /** Pinned local name, e.g. localhost/pause:1. */
  ref: string;
  /** Bottom first. */
  layers: LayerSpec[];
  entrypoint?: string[];
  cmd?: string[];
  user?: string;
  env?: string[];
  workingDir?: string;
  exposedPorts?: string[];
}

/** sha256 of a file (hex), e.g. for a LayerSpec key. */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 20);

/** The image configuration (docker v1 / OCI image config). */
export function imageConfig(spec: ImageSpec, diffIds: string[]): object {
  return {
    architecture: 'amd64',
    os: 'linux',
    created: '1970-01-01T00:00:00Z',
    config: {
      Env: spec.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Entrypoint: spec.entrypoint ?? null,
      Cmd: spec.cmd ?? null,
      User: spec.user ?? '',
      WorkingDir: spec.workingDir ?? '/',
      ExposedPorts: Object.fromEntries((spec.exposedPorts ?? []).map((p) => [p, {}])),
    },
    rootfs: { type: 'layers', diff_ids: diffIds.map((d) => `sha256:${d}`) },
    history: diffIds.map(() => ({
      created: '1970-01-01T00:00:00Z',
      created_by: 'test/cluster/local-images.ts',
    })),
  };
}

/** The layer's tar in the cache (made once) and its sha256. */
export async function cachedLayer(
  layer: LayerSpec,
  cacheDir: string,
): Promise<{ tar: string; digest: string }> {
  const dir = join(cacheDir, 'layers');
  mkdirSync(dir, { recursive: true });
  const tar = join(dir, `${shortHash(layer.key)}.tar`);
  const digestFile = `${tar}.sha256`;
  if (existsSync(tar) && existsSync(digestFile)) {
    utimesSync(tar, new Date(), new Date()); // in use: kept by pruneLayers
    return { tar, digest: readFileSync(digestFile, 'utf8').trim() };
  }
  const source = await layer.make();
  if (!existsSync(source)) throw new Error(`test/cluster: layer ${layer.key}: ${source} does not exist`);
  const tmp = `${tar}.tmp`;
  if (statSync(source).isDirectory()) {
    // Owned by root unless the folder says otherwise, no timestamps: same folder, same layer.
    execFileSync('tar', [
      '--create',
      `--file=${tmp}`,
      `--directory=${source}`,
      '--numeric-owner',
      '--sort=name',
      '--mtime=@0',
      '.',
    ]);
    // Folders assembled under the cache only served this layer.
    if (source.startsWith(join(cacheDir, 'rootfs'))) rmSync(source, { recursive: true, force: true });
  } else {
    // A tar made for this layer is taken, not copied (a Debian base is half a gigabyte).
    renameSync(source, tmp);
  }
  const digest = await sha256File(tmp);
  renameSync(tmp, tar);
  writeFileSync(digestFile, digest);
  return { tar, digest };
}

/** Layers no archive has used for two days (superseded operator builds, old bases) are removed. */
function pruneLayers(cacheDir: string): void {
  const dir = join(cacheDir, 'layers');
  const cutoff = Date.now() - 2 * 24 * 3600_000;
  for (const file of readdirSync(dir)) {
    const path = join(dir, file);
    if (file.endsWith('.tar') && statSync(path).mtimeMs < cutoff) {
      rmSync(path, { force: true });
      rmSync(`${path}.sha256`, { force: true });
    }
  }
}

/** Writes (or finds in the cache) one archive holding these images; returns its path. */
export async function buildImageArchive(specs: ImageSpec[], cacheDir: string): Promise<string> {
  mkdirSync(cacheDir, { recursive: true });
  const key = shortHash(JSON.stringify(specs.map((s) => ({ ...s, layers: s.layers.map((l) => l.key) }))));
  const name = specs.map((s) => s.ref.replace(/^localhost\//, '').replace(/[^a-zA-Z0-9.-]+/g, '_')).join('+');
  const out = join(cacheDir, `${name.slice(0, 80)}-${key}.tar`);
  if (existsSync(out)) {
    // Still in use: keep its layers from pruneLayers (they make the next archive quickly).
    for (const layer of specs.flatMap((spec) => spec.layers)) {
      const tar = join(cacheDir, 'layers', `${shortHash(layer.key)}.tar`);
      if (existsSync(tar)) utimesSync(tar, new Date(), new Date());
    }
    return out;
  }
  const staging = `${out}.staging`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  try {
    const members = new Set<string>();
    const manifest: object[] = [];
    for (const spec of specs) {
      const layerFiles: string[] = [];
      const diffIds: string[] = [];
      for (const layer of spec.layers) {
        const { tar, digest } = await cachedLayer(layer, cacheDir);
        const member = `${digest}/layer.tar`;
        if (!members.has(member)) {
          mkdirSync(join(staging, digest));
          execFileSync('ln', ['-s', tar, join(staging, member)]);
          members.add(member);
        }
        layerFiles.push(member);
        diffIds.push(digest);
      }
      const config = JSON.stringify(imageConfig(spec, diffIds));
      const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
      writeFileSync(join(staging, configName), config);
      members.add(configName);
      manifest.push({ Config: configName, RepoTags: [spec.ref], Layers: layerFiles });
    }
    writeFileSync(join(staging, 'manifest.json'), JSON.stringify(manifest));
    members.add('manifest.json');
    // --dereference: the layers are symlinks to the layer cache.
    execFileSync('tar', [
      '--create',
      '--dereference',
      `--file=${out}.tmp`,
      `--directory=${staging}`,
      ...members,
    ]);
    renameSync(`${out}.tmp`, out);
    pruneLayers(cacheDir);
    // Earlier archives of the same images are superseded.
    const prefix = `${name.slice(0, 80)}-`;
    for (const old of readdirSync(cacheDir)) {
      if (old.startsWith(prefix) && old.endsWith('.tar') && join(cacheDir, old) !== out) {
        rmSync(join(cacheDir, old), { force: true });
      }
    }
    return out;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
