import { IniSyntaxError, mergeIni, parseIni, serializeIni } from './ini.js';

test('parses sections, both delimiters, comments and continuation lines', () => {
  const doc = parseIni(
    [
      '# c',
      '[hub]',
      'KojiDir = /mnt/koji',
      'LogLevel: DEBUG',
      '; c',
      '[policy]',
      'build_rpm =',
      '    has_perm admin :: allow',
      '    all :: deny',
    ].join('\n'),
  );
  expect(doc).toEqual([
    {
      name: 'hub',
      entries: [
        { key: 'KojiDir', value: '/mnt/koji' },
        { key: 'LogLevel', value: 'DEBUG' },
      ],
    },
    { name: 'policy', entries: [{ key: 'build_rpm', value: 'has_perm admin :: allow\nall :: deny' }] },
  ]);
});

test('refuses what configparser refuses, with the line number', () => {
  expect(() => parseIni('a = 1')).toThrow(new IniSyntaxError(1, 'a key before any [section] header'));
  expect(() => parseIni('[hub]\nKojiDir = a\nkojidir = b')).toThrow(/line 3: key kojidir appears twice/);
  expect(() => parseIni('[hub]\n[hub]')).toThrow(/section \[hub\] appears twice/);
  expect(() => parseIni('[hub]\njust words')).toThrow(/expected "key = value"/);
});

test('merges by section and case-insensitive key, keeping the base spelling and order', () => {
  const base = parseIni('[hub]\nLoginCreatesUser = Off\nKojiDir = /mnt/koji');
  const merged = mergeIni(
    base,
    parseIni('[hub]\nlogincreatesuser = On\nEmailDomain = example.com\n[policy]\nx = y'),
  );
  expect(merged).toEqual([
    {
      name: 'hub',
      entries: [
        { key: 'LoginCreatesUser', value: 'On' },
        { key: 'KojiDir', value: '/mnt/koji' },
        { key: 'EmailDomain', value: 'example.com' },
      ],
    },
    { name: 'policy', entries: [{ key: 'x', value: 'y' }] },
  ]);
  expect(base[0]?.entries[0]?.value).toBe('Off');
});

test('writes a value with newlines as continuation lines, so it cannot inject a key', () => {
  const text = serializeIni(
    [{ name: 'kojid', entries: [{ key: 'vendor', value: 'MBox\nfoo = bar' }] }],
    'hdr',
  );
  expect(text).toBe('# hdr\n\n[kojid]\nvendor = MBox\n    foo = bar\n');
  expect(parseIni(text)).toEqual([{ name: 'kojid', entries: [{ key: 'vendor', value: 'MBox\nfoo = bar' }] }]);
});
