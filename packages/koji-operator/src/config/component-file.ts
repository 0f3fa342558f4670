// One component's config file: the operator's defaults, your ConfigMap's file merged over
// them, and nothing a component would not read.
import { mergeIni, parseIni, serializeIni, type IniDocument } from './ini.js';
import type { FileSchema } from './known-options.js';

export interface RenderedFile {
  text: string;
  /** `section.key` (or `[section]`) from the ConfigMap that the component does not read. */
  dropped: string[];
}

export function composeFile(
  schema: FileSchema,
  defaults: IniDocument,
  override: string | undefined,
  header: string,
): RenderedFile {
  const merged = override === undefined ? defaults : mergeIni(defaults, parseIni(override));
  const dropped: string[] = [];
  const kept: IniDocument = [];
  for (const section of merged) {
    const allowed = schema[section.name];
    if (!allowed) {
      dropped.push(`[${section.name}]`);
      continue;
    }
    const entries = section.entries.filter((entry) => {
      if (allowed === 'any') return true;
      const known = allowed.find((k) => k.toLowerCase() === entry.key.toLowerCase());
      if (!known) dropped.push(`${section.name}.${entry.key}`);
      return known !== undefined;
    });
    kept.push({ name: section.name, entries });
  }
  return { text: serializeIni(kept, header), dropped };
}
