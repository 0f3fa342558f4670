// The text of crds/*.yaml. The generator script writes it and the drift test compares it,
// so both go through this one function.
import { stringify } from 'yaml';
import { buildCrd } from './crd.js';
import { kindDefinitions } from './kinds.js';

export interface CrdFile {
  /** File name inside crds/, e.g. `koji.fedoraproject.org_kojihubs.yaml`. */
  fileName: string;
  text: string;
}

const header = '# Generated from packages/koji-operator/src/api by `npm run crds`. Do not edit.\n';

export function renderCrdFiles(): CrdFile[] {
  return kindDefinitions.map((def) => {
    const crd = buildCrd(def);
    return {
      fileName: `${crd.spec.group}_${crd.spec.names.plural}.yaml`,
      // YAML 1.1, as kubectl reads it: `yes`/`no` in an enum must be quoted to stay strings.
      // lineWidth 0: long CEL rules and messages stay on one line, readable in a diff.
      text: header + stringify(crd, { version: '1.1', lineWidth: 0 }),
    };
  });
}
