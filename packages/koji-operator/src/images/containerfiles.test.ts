// Every Containerfile under images/ against the image contract: the two cannot drift.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { imageNames, images, isKojiPackage, type ImageContract } from './contract.js';
import {
  createdDirectories,
  execForm,
  finalStage,
  installedPackages,
  readInstructions,
  type Instruction,
} from './containerfile.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const read = (image: ImageContract) => readFileSync(`${repoRoot}${image.containerfile}`, 'utf8');
const last = (instructions: Instruction[], keyword: string) =>
  instructions.filter((i) => i.keyword === keyword).at(-1);

test('there is one Containerfile per image of the contract, and no other', () => {
  const dirs = readdirSync(`${repoRoot}images`, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  expect(dirs).toEqual([...imageNames].sort());
});

describe.each(imageNames)('%s', (name) => {
  const image = images[name];
  const all = readInstructions(read(image));
  const stage = finalStage(all);

  test('runs as the contract user and group', () => {
    expect(last(stage, 'USER')?.text).toBe(`${image.user.uid}:${image.user.gid}`);
  });

  test('exposes exactly the contract ports', () => {
    const exposed = stage
      .filter((i) => i.keyword === 'EXPOSE')
      .flatMap((i) => i.text.split(/\s+/))
      .map(Number)
      .sort();
    expect(exposed).toEqual(image.ports.map((p) => p.port).sort());
  });

  test('starts the contract command with the contract arguments', () => {
    expect(execForm(last(stage, 'ENTRYPOINT'))).toEqual(image.command);
    expect(execForm(last(stage, 'CMD')) ?? []).toEqual(image.args);
  });

  test('installs every contract package, koji packages at exactly the pinned version', () => {
    const installed = installedPackages(stage);
    for (const pkg of image.packages) {
      expect(installed).toContain(isKojiPackage(pkg) ? `${pkg}-\${KOJI_VERSION}` : pkg);
    }
    // Nothing of koji's comes in unpinned.
    for (const word of installed) {
      if (isKojiPackage(word)) expect(word).toMatch(/-\$\{KOJI_VERSION\}$/);
    }
  });

  test('creates the contract directories, owned by the contract user', () => {
    const made = createdDirectories(stage);
    for (const dir of image.directories) {
      expect(made).toContainEqual({ path: dir, owner: `${image.user.name}:${image.user.group}` });
    }
  });

  test('declares every build argument without a default, and builds on the pinned Fedora', () => {
    const declared = all.filter((i) => i.keyword === 'ARG').map((i) => i.text);
    expect([...new Set(declared)].sort()).toEqual(Object.keys(image.buildArgs).sort());
    for (const from of all.filter((i) => i.keyword === 'FROM')) {
      expect(from.text).toMatch(
        /^registry\.fedoraproject\.org\/fedora(-minimal)?:\$\{FEDORA_RELEASE\}( AS \w+)?$/,
      );
    }
    expect(read(image)).not.toMatch(/:latest\b/);
  });
});

test('every image reference carries the koji version and build, never latest', () => {
  for (const image of Object.values(images)) {
    expect(image.reference).toBe(`${image.repository}:${image.tag}`);
    expect(image.tag).toMatch(/^\d+\.\d+\.\d+-\d+$/);
  }
});
