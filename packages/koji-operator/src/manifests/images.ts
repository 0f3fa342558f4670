// Default images: the contract's references (images/ builds them, tagged with the pinned koji
// version), each replaceable for the whole operator by RELATED_IMAGE_<NAME> in its environment
// (the koji-operator command's --image and --image-registry set those), and per CR by
// spec.image (the hub's admin sidecar: spec.sidecar_image).
import { images, relatedImageEnv, type ImageName } from '../images/contract.js';

export type ImageDefaults = Record<'hub' | 'web' | 'kojira' | 'builder' | 'cli', string>;

const components: Record<keyof ImageDefaults, ImageName> = {
  hub: 'koji-hub',
  web: 'koji-web',
  kojira: 'kojira',
  builder: 'kojid',
  cli: 'koji-cli',
};

export function imageDefaults(env: Readonly<Record<string, string | undefined>>): ImageDefaults {
  const pick = (name: ImageName) => env[relatedImageEnv(name)] || images[name].reference;
  return Object.fromEntries(
    Object.entries(components).map(([key, name]) => [key, pick(name)]),
  ) as ImageDefaults;
}

/** This process's defaults, read once when the operator loads. */
export const defaultImages: ImageDefaults = imageDefaults(process.env);
