import { imageDefaults } from './manifests/images.js';
import { images } from './images/contract.js';
import { ImageFlagError, parseImageFlags } from './image-flags.js';

test('--image replaces one image through RELATED_IMAGE_<NAME>; other arguments pass through in order', () => {
  const { env, rest } = parseImageFlags([
    '--namespace',
    'koji',
    '--image',
    'koji-hub=r.example/hub:1',
    '--leader-elect',
  ]);
  expect(env).toEqual({ RELATED_IMAGE_KOJI_HUB: 'r.example/hub:1' });
  expect(rest).toEqual(['--namespace', 'koji', '--leader-elect']);
  expect(imageDefaults(env).hub).toBe('r.example/hub:1');
  expect(imageDefaults(env).web).toBe(images['koji-web'].reference);
});

test('--image-registry moves every koji image, keeping names and tags; a named --image wins', () => {
  const { env } = parseImageFlags([
    '--image-registry=mirror.example/koji/',
    '--image=kojid=b.example/kojid:2',
  ]);
  const defaults = imageDefaults(env);
  expect(defaults.hub).toBe(`mirror.example/koji/koji-hub:${images['koji-hub'].tag}`);
  expect(defaults.cli).toBe(`mirror.example/koji/koji-cli:${images['koji-cli'].tag}`);
  expect(defaults.builder).toBe('b.example/kojid:2');
});

test('without flags or environment the defaults are the contract references', () => {
  expect(imageDefaults({})).toEqual({
    hub: images['koji-hub'].reference,
    web: images['koji-web'].reference,
    kojira: images.kojira.reference,
    builder: images.kojid.reference,
    cli: images['koji-cli'].reference,
  });
});

test.each([
  [['--image', 'koji-hubb=x'], /no image 'koji-hubb'; the images are koji-hub, koji-web/],
  [['--image', 'koji-hub'], /takes <name>=<reference>/],
  [['--image'], /needs a value/],
  [['--image-registry', '--leader-elect'], /needs a value/],
])('%j is refused: %s', (argv, message) => {
  expect(() => parseImageFlags(argv)).toThrow(ImageFlagError);
  expect(() => parseImageFlags(argv)).toThrow(message);
});
