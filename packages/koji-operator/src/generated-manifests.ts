// The manifests generated from the controllers' decorators by the framework's generators:
// crds/*.yaml (from each kind's schema in src/api) and deploy/rbac.yaml (from @Controller,
// @Owns, @Watches, related-object handlers and @RbacRule). `npm run crds` writes them and a
// test fails when the committed files differ, so they cannot drift from the code.
import {
  crdFiles,
  describeController,
  rbacFile,
  type ControllerDescription,
  type ManifestFile,
} from '@fedora-operators/framework';
import {
  KojiBuilderController,
  KojiHubController,
  KojiraController,
  KojiWebController,
} from './controllers/index.js';
import { KojiUserController } from './controllers/koji-user.controller.js';

/** In the order the CRD files and docs list the kinds. */
function controllers(): ControllerDescription[] {
  return [
    KojiHubController,
    KojiWebController,
    KojiraController,
    KojiBuilderController,
    KojiUserController,
  ].map((c) => describeController(c));
}

export function kojiCrdFiles(): ManifestFile[] {
  return crdFiles(
    controllers(),
    '# Generated from packages/koji-operator/src/api by `npm run crds`. Do not edit.\n',
  );
}

/** deploy/rbac.yaml: the ClusterRole is bound per served namespace (koji-namespace-binding.yaml). */
export function kojiRbacText(): string {
  return rbacFile(
    controllers(),
    {
      name: 'koji-operator',
      namespace: 'koji-operator-system',
      leaderElection: true,
      clusterRoleBinding: false,
    },
    [
      '# Generated from the controllers in packages/koji-operator/src by `npm run crds`. Do not edit.',
      '# The ClusterRole is bound per served namespace with a RoleBinding (koji-namespace-binding.yaml),',
      '# so the operator only reaches the namespaces it serves; the Lease Role is in its own namespace.',
      '',
    ].join('\n'),
  );
}
