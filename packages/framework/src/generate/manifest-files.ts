// The text of generated manifest files. Generators write it and drift tests compare it, so both
// go through these functions. YAML 1.1, as kubectl reads it: `yes`/`no` in an enum stay quoted
// strings; lineWidth 0 keeps long CEL rules and messages on one line, readable in a diff.
import { Document, isScalar, stringify, visit } from 'yaml';
import type { ControllerDescription } from '../registry.js';
import { buildCrd, type CustomResourceDefinition } from './crd.js';
import { rbacObjects, type RbacOptions } from './rbac.js';

export interface ManifestFile {
  /** File name only, e.g. `example.com_widgets.yaml` (kubebuilder's naming). */
  fileName: string;
  text: string;
}

export function toYaml(documents: readonly object[]): string {
  return documents.map((d) => stringify(d, { version: '1.1', lineWidth: 0 })).join('---\n');
}

/** Like toYaml, with lists of plain values on one line (`verbs: [get, list]`), as RBAC is usually written. */
export function toCompactYaml(documents: readonly object[]): string {
  return documents
    .map((d) => {
      const doc = new Document(d, { version: '1.1' });
      visit(doc, {
        Seq(_key, node) {
          if (node.items.every((item) => isScalar(item))) node.flow = true;
        },
      });
      return doc.toString({ lineWidth: 0, singleQuote: true, flowCollectionPadding: false });
    })
    .join('---\n');
}

/** The CRDs of the controllers that declare a schema (`crd`), in the order given. */
export function crdsOf(controllers: readonly ControllerDescription[]): CustomResourceDefinition[] {
  return controllers.flatMap((c) => (c.crd ? [buildCrd(c.resource, c.crd)] : []));
}

/** One file per CRD, `<group>_<plural>.yaml`, each starting with `header`. */
export function crdFiles(controllers: readonly ControllerDescription[], header: string): ManifestFile[] {
  return crdsOf(controllers).map((crd) => ({
    fileName: `${crd.spec.group}_${crd.spec.names.plural}.yaml`,
    text: header + toYaml([crd]),
  }));
}

export function rbacFile(
  controllers: readonly ControllerDescription[],
  options: RbacOptions,
  header: string,
): string {
  return header + toCompactYaml(rbacObjects(controllers, options));
}
