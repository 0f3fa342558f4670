// The koji-operator command's own flags: operator-wide image overrides, turned into the
// RELATED_IMAGE_<NAME> environment the manifests read (manifests/images.ts). Everything else
// is passed on to the framework's `fedora-operator run`.
//
//   --image <name>=<reference>   one image, e.g. --image koji-hub=registry.example/koji-hub:1.36.1-1
//   --image-registry <registry>  every koji image from another registry, same names and tags
//
// How it fails: an unknown image name, a missing value or a reference with spaces throws a
// UsageError naming the flag; nothing is changed then.
import { imageNames, images, relatedImageEnv, type ImageName } from './images/contract.js';

export class ImageFlagError extends Error {}

const overridable: ImageName[] = imageNames.filter((n) => n !== 'koji-operator');

export interface ImageFlags {
  /** RELATED_IMAGE_* variables to set. */
  env: Record<string, string>;
  /** The arguments that are not ours, in their order. */
  rest: string[];
}

export function parseImageFlags(argv: readonly string[]): ImageFlags {
  const env: Record<string, string> = {};
  const rest: string[] = [];
  const perImage: Record<string, string> = {};
  let registry: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.startsWith('--image') ? (arg.split(/=(.*)/s, 2) as [string, string?]) : [arg];
    if (flag !== '--image' && flag !== '--image-registry') {
      rest.push(arg);
      continue;
    }
    const value = inline ?? argv[++i];
    if (!value || value.startsWith('--') || /\s/.test(value))
      throw new ImageFlagError(
        `${flag} needs a value without spaces, e.g. ${flag === '--image' ? 'koji-hub=registry.example/koji-hub:1.36.1-1' : 'registry.example/koji'}`,
      );
    if (flag === '--image-registry') {
      registry = value.replace(/\/+$/, '');
      continue;
    }
    const eq = value.indexOf('=');
    const name = value.slice(0, eq) as ImageName;
    const reference = value.slice(eq + 1);
    if (eq <= 0 || !reference) throw new ImageFlagError(`--image takes <name>=<reference>, got '${value}'`);
    if (!overridable.includes(name))
      throw new ImageFlagError(`--image: no image '${name}'; the images are ${overridable.join(', ')}`);
    perImage[name] = reference;
  }
  // The registry moves every image; a named --image wins over it.
  if (registry)
    for (const name of overridable) env[relatedImageEnv(name)] = `${registry}/${name}:${images[name].tag}`;
  for (const [name, reference] of Object.entries(perImage))
    env[relatedImageEnv(name as ImageName)] = reference;
  return { env, rest };
}
