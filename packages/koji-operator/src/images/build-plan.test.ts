import { buildCommands } from './build-plan.js';
import { images, kojiVersion } from './contract.js';

test('builds every image with the pinned koji version and tags it with the contract reference', () => {
  const commands = buildCommands();
  expect(commands).toHaveLength(Object.keys(images).length);
  const hub = commands.find((c) => c.includes('images/koji-hub/Containerfile')) ?? [];
  expect(hub).toEqual(expect.arrayContaining(['--build-arg', `KOJI_VERSION=${kojiVersion}`]));
  expect(hub.slice(-3)).toEqual(['-t', images['koji-hub'].reference, 'images/koji-hub']);
  // The operator is built from the repository root (its sources), without koji's version.
  const operator = commands.find((c) => c.includes('images/koji-operator/Containerfile')) ?? [];
  expect(operator.at(-1)).toBe('.');
  expect(operator.join(' ')).not.toMatch(/KOJI_VERSION/);
});

test('pushes after each build when asked, to another registry when given', () => {
  const commands = buildCommands({ engine: 'docker', push: true, only: ['kojira'], registry: 'ghcr.io/me' });
  expect(commands.map((c) => c.slice(0, 2))).toEqual([
    ['docker', 'build'],
    ['docker', 'push'],
  ]);
  expect(commands[1]?.[2]).toBe(`ghcr.io/me/kojira:${images.kojira.tag}`);
});

test('refuses an image the contract does not know', () => {
  expect(() => buildCommands({ only: ['koji-hubb' as never] })).toThrow(/unknown image\(s\): koji-hubb/);
});
