// The container-engine commands that build (and push) the images of the contract: every build
// argument comes from the contract, so the koji version is pinned in one place.
import { images, imageNames, type ImageName } from './contract.js';

export interface BuildOptions {
  engine?: 'podman' | 'docker';
  /** Push after building. */
  push?: boolean;
  /** Only these images (default: all). */
  only?: ImageName[];
  /** Replace the contract's registry, e.g. a fork's own. */
  registry?: string;
}

/** One argv per step, in order: build each image, then push it when asked. */
export function buildCommands({
  engine = 'podman',
  push = false,
  only,
  registry,
}: BuildOptions = {}): string[][] {
  const unknown = (only ?? []).filter((n) => !imageNames.includes(n));
  if (unknown.length)
    throw new Error(`unknown image(s): ${unknown.join(', ')}; known: ${imageNames.join(', ')}`);
  const commands: string[][] = [];
  for (const name of only ?? imageNames) {
    const image = images[name];
    const reference = registry ? `${registry}/${name}:${image.tag}` : image.reference;
    commands.push([
      engine,
      'build',
      '-f',
      image.containerfile,
      ...Object.entries(image.buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
      '-t',
      reference,
      image.buildContext,
    ]);
    if (push) commands.push([engine, 'push', reference]);
  }
  return commands;
}
