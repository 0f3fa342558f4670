// A reader of the few Containerfile instructions the image contract speaks about. Not a full
// parser: it joins continuation lines, drops comments, and splits each instruction into its
// keyword and its text.
//
// How it fails: an exec-form (JSON) ENTRYPOINT/CMD that is not valid JSON throws with the line.

export interface Instruction {
  keyword: string;
  text: string;
}

export function readInstructions(containerfile: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of containerfile.split('\n')) {
    const line = raw.trimEnd();
    if (!current && /^\s*#/.test(line)) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  if (current.trim()) logical.push(current.trim());
  return logical.map((l) => {
    const [keyword = '', ...rest] = l.split(/\s+/);
    return { keyword: keyword.toUpperCase(), text: rest.join(' ') };
  });
}

/** The stage that is the image: instructions after the last FROM. */
export function finalStage(instructions: Instruction[]): Instruction[] {
  const lastFrom = instructions.map((i) => i.keyword).lastIndexOf('FROM');
  return instructions.slice(lastFrom);
}

export function execForm(instruction: Instruction | undefined): string[] | undefined {
  if (!instruction) return undefined;
  try {
    const parsed: unknown = JSON.parse(instruction.text);
    if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string')) return parsed;
  } catch {
    // reported below
  }
  throw new Error(`${instruction.keyword} ${instruction.text}: not an exec-form JSON array`);
}

/** The words `dnf install` / `microdnf install` name, options dropped. */
export function installedPackages(instructions: Instruction[]): string[] {
  const packages: string[] = [];
  for (const { keyword, text } of instructions) {
    if (keyword !== 'RUN') continue;
    for (const command of text.split(/&&|;/)) {
      const words = command.trim().split(/\s+/);
      if (!/^(micro)?dnf$/.test(words[0] ?? '') || words[1] !== 'install') continue;
      packages.push(...words.slice(2).filter((w) => !w.startsWith('-')));
    }
  }
  return packages;
}

/** Directories made by `install -d -o <user> -g <group> ... <paths>`, with their owner. */
export function createdDirectories(instructions: Instruction[]): { path: string; owner: string }[] {
  const made: { path: string; owner: string }[] = [];
  for (const { keyword, text } of instructions) {
    if (keyword !== 'RUN') continue;
    for (const command of text.split(/&&|;/)) {
      const words = command.trim().split(/\s+/);
      if (words[0] !== 'install' || !words.includes('-d')) continue;
      const owner = `${words[words.indexOf('-o') + 1] ?? ''}:${words[words.indexOf('-g') + 1] ?? ''}`;
      if (!words.includes('-o') || !words.includes('-g')) continue;
      const optionArgs = new Set(['-o', '-g', '-m']);
      for (let i = 1; i < words.length; i++) {
        const word = words[i] ?? '';
        if (optionArgs.has(word)) i++;
        else if (!word.startsWith('-')) made.push({ path: word, owner });
      }
    }
  }
  return made;
}
