// Default images: the contract's references (images/ builds them, tagged with the pinned koji
// version). Each is overridable per CR with spec.image (and the hub's spec.sidecar_image).
import { images } from '../images/contract.js';

export const defaultImages = {
  hub: images['koji-hub'].reference,
  web: images['koji-web'].reference,
  kojira: images.kojira.reference,
  builder: images.kojid.reference,
  cli: images['koji-cli'].reference,
} as const;
