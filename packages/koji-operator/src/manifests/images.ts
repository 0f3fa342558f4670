// Default images, each overridable per CR with spec.image (and the hub's spec.sidecar_image).
// quay.io/fedora/koji-* are the images the MBBOX operator used; the admin sidecar only
// needs the koji CLI.
export const defaultImages = {
  hub: 'quay.io/fedora/koji-hub:latest',
  web: 'quay.io/fedora/koji-web:latest',
  kojira: 'quay.io/fedora/kojira:latest',
  builder: 'quay.io/fedora/koji-builder:latest',
  cli: 'quay.io/fedora/koji-cli:latest',
} as const;
