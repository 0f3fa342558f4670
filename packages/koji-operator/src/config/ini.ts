// INI files as koji reads them: Python's configparser. Keys compare case-insensitively
// (configparser lower-cases them), section names case-sensitively; an indented line continues
// the value above it (hub.conf's [policy] rules rely on that); `#` and `;` start comment lines.
// configparser refuses a key given twice in one section, so the parser does too.

export interface IniEntry {
  key: string;
  value: string;
}

export interface IniSection {
  name: string;
  entries: IniEntry[];
}

export type IniDocument = IniSection[];

export class IniSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'IniSyntaxError';
  }
}

const sameKey = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function findEntry(section: IniSection, key: string): IniEntry | undefined {
  return section.entries.find((e) => sameKey(e.key, key));
}

export function parseIni(text: string): IniDocument {
  const doc: IniDocument = [];
  let section: IniSection | undefined;
  let last: IniEntry | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNo = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) {
      if (trimmed === '') last = undefined;
      return;
    }
    if (/^\s/.test(raw) && last) {
      last.value = last.value === '' ? trimmed : `${last.value}\n${trimmed}`;
      return;
    }
    const header = /^\[([^\]]+)\]$/.exec(trimmed);
    if (header?.[1]) {
      const name = header[1];
      if (doc.some((s) => s.name === name))
        throw new IniSyntaxError(lineNo, `section [${name}] appears twice`);
      section = { name, entries: [] };
      doc.push(section);
      last = undefined;
      return;
    }
    if (!section) throw new IniSyntaxError(lineNo, 'a key before any [section] header');
    const delimiter = raw.search(/[=:]/);
    if (delimiter <= 0) throw new IniSyntaxError(lineNo, `expected "key = value", got "${trimmed}"`);
    const key = raw.slice(0, delimiter).trim();
    if (findEntry(section, key))
      throw new IniSyntaxError(lineNo, `key ${key} appears twice in [${section.name}]`);
    last = { key, value: raw.slice(delimiter + 1).trim() };
    section.entries.push(last);
  });
  return doc;
}

/**
 * `override` over `base`: a section of `override` adds to or replaces keys of the section of
 * the same name; new sections and keys are appended. Key spelling stays `base`'s.
 */
export function mergeIni(base: IniDocument, override: IniDocument): IniDocument {
  const merged = base.map((s) => ({ name: s.name, entries: s.entries.map((e) => ({ ...e })) }));
  for (const section of override) {
    let target = merged.find((s) => s.name === section.name);
    if (!target) {
      target = { name: section.name, entries: [] };
      merged.push(target);
    }
    for (const entry of section.entries) {
      const existing = findEntry(target, entry.key);
      if (existing) existing.value = entry.value;
      else target.entries.push({ ...entry });
    }
  }
  return merged;
}

/** A value on several lines is written as continuation lines, so it can never start a new key. */
export function serializeIni(doc: IniDocument, header?: string): string {
  const blocks = doc.map((section) => {
    const lines = section.entries.map(({ key, value }) => {
      const [first = '', ...rest] = value.split('\n');
      return [`${key} = ${first}`.trimEnd(), ...rest.map((l) => `    ${l}`)].join('\n');
    });
    return [`[${section.name}]`, ...lines].join('\n');
  });
  const comment = header
    ? header
        .split('\n')
        .map((l) => `# ${l}`.trimEnd())
        .join('\n') + '\n\n'
    : '';
  return comment + blocks.join('\n\n') + '\n';
}

/** Escapes `%` for the parsers that interpolate (kojiweb, kojira and the koji CLI). */
export function escapeInterpolation(value: string): string {
  return value.replaceAll('%', '%%');
}
