// The API resources the Koji data controllers read.
import type { ResourceRef } from '@fedora-operators/framework';

const ref = (kind: string, plural: string): ResourceRef => ({
  group: 'koji.fedoraproject.org',
  version: 'v1alpha1',
  kind,
  plural,
  namespaced: true,
});

export const kojiHubResource = ref('KojiHub', 'kojihubs');
export const kojiUserResource = ref('KojiUser', 'kojiusers');
