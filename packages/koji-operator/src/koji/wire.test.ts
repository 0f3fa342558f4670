// Wire format without a network: what serializeCall writes and what parseResponse reads, for
// each XML-RPC type koji's hub uses (koji.md §1 "XML-RPC types a plain library may not handle").
import {
  encodeArgs,
  formatDateTime,
  parseDateTime,
  parseKojiTimestamp,
  parseResponse,
  serializeCall,
} from './wire.js';

const response = (valueXml: string) =>
  `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value>${valueXml}</value>\n</param>\n</params>\n</methodResponse>\n`;

async function decode(valueXml: string) {
  const r = await parseResponse(response(valueXml));
  if (r.kind !== 'result') throw new Error('expected a result');
  return r.value;
}

describe('serializeCall', () => {
  it('writes the method name and positional params', () => {
    const xml = serializeCall('getUser', ['alice']);
    expect(xml).toContain('<methodName>getUser</methodName>');
    expect(xml).toMatch(/<param>\s*<value>\s*<string>alice<\/string>/);
  });

  it('writes null and undefined as <nil/>', () => {
    const xml = serializeCall('m', [null, undefined]);
    expect(xml.match(/<nil\/>/g)).toHaveLength(2);
  });

  it('writes int32 as <int>, larger integers as <i8>, like koji ExtendedMarshaller', () => {
    const xml = serializeCall('m', [
      2147483647,
      -2147483648,
      2147483648,
      -2147483649,
      2n ** 62n,
      9007199254740993n,
    ]);
    expect(xml).toContain('<int>2147483647</int>');
    expect(xml).toContain('<int>-2147483648</int>');
    expect(xml).toContain('<i8>2147483648</i8>');
    expect(xml).toContain('<i8>-2147483649</i8>');
    expect(xml).toContain(`<i8>${2n ** 62n}</i8>`);
    expect(xml).toContain('<i8>9007199254740993</i8>');
  });

  it('writes a small bigint as <int>', () => {
    expect(serializeCall('m', [5n])).toContain('<int>5</int>');
  });

  it('refuses integers beyond i8, NaN, Infinity, functions and symbols', () => {
    expect(() => serializeCall('m', [2n ** 63n])).toThrow(RangeError);
    expect(() => serializeCall('m', [-(2n ** 63n) - 1n])).toThrow(RangeError);
    expect(() => serializeCall('m', [NaN])).toThrow(TypeError);
    expect(() => serializeCall('m', [Infinity])).toThrow(TypeError);
    expect(() => serializeCall('m', [() => 1])).toThrow(TypeError);
    expect(() => serializeCall('m', [Symbol('x')])).toThrow(TypeError);
    expect(() => serializeCall('m', [new Map()])).toThrow(TypeError);
  });

  it('writes non-integers as <double> and booleans as 1/0', () => {
    const xml = serializeCall('m', [2.5, true, false]);
    expect(xml).toContain('<double>2.5</double>');
    expect(xml).toContain('<boolean>1</boolean>');
    expect(xml).toContain('<boolean>0</boolean>');
  });

  it('writes dates in Python DateTime format, UTC', () => {
    const xml = serializeCall('m', [new Date(Date.UTC(2025, 0, 2, 3, 4, 5))]);
    expect(xml).toContain('<dateTime.iso8601>20250102T03:04:05</dateTime.iso8601>');
    expect(() => serializeCall('m', [new Date(NaN)])).toThrow(TypeError);
  });

  it('writes structs and arrays recursively, leaving out undefined members', () => {
    const xml = serializeCall('m', [{ a: [1, 'x', null], b: undefined, c: { d: 3000000000 } }]);
    expect(xml).toMatch(/<name>a<\/name>\s*<value>\s*<array>\s*<data>/);
    expect(xml).not.toContain('<name>b</name>');
    expect(xml).toContain('<i8>3000000000</i8>');
  });

  it('writes Buffers as base64 and escapes markup in strings', () => {
    const xml = serializeCall('m', [Buffer.from('hi'), 'a<b&c']);
    expect(xml).toContain('<base64>aGk=</base64>');
    expect(xml).not.toContain('a<b&c</string>');
  });
});

describe('encodeArgs (koji.encode_args)', () => {
  it('appends kwargs as a struct marked __starstar', () => {
    expect(encodeArgs(['alice'], { with_groups: false })).toEqual([
      'alice',
      { with_groups: false, __starstar: true },
    ]);
  });
  it('sends no struct when every kwarg is undefined', () => {
    expect(encodeArgs(['alice'], { status: undefined })).toEqual(['alice']);
    expect(encodeArgs([], undefined)).toEqual([]);
  });
  it('keeps explicit nulls: they mean None', () => {
    expect(encodeArgs([], { krb_principal: null })).toEqual([{ krb_principal: null, __starstar: true }]);
  });
  it('is visible on the wire', () => {
    const xml = serializeCall('getUserPerms', encodeArgs(['alice'], { with_groups: false }));
    expect(xml).toMatch(/<name>__starstar<\/name>\s*<value>\s*<boolean>1<\/boolean>/);
  });
});

describe('parseResponse', () => {
  it('reads <nil/> as null (void methods, missing users)', async () => {
    expect(await decode('<nil/>')).toBeNull();
  });

  it('reads <i8> as a number when safe and a bigint beyond 2^53', async () => {
    expect(await decode('<i8>4294967296</i8>')).toBe(4294967296);
    expect(await decode('<i8>-9007199254740991</i8>')).toBe(-9007199254740991);
    expect(await decode('<i8>9007199254740992</i8>')).toBe(9007199254740992n);
    expect(await decode('<i8>-9223372036854775808</i8>')).toBe(-9223372036854775808n);
  });

  it('rejects a malformed <i8>', async () => {
    await expect(parseResponse(response('<i8>12x</i8>'))).rejects.toThrow(/invalid XML-RPC response/);
  });

  it('reads int, i4, double, boolean, string and untyped values', async () => {
    expect(await decode('<int>7</int>')).toBe(7);
    expect(await decode('<i4>-7</i4>')).toBe(-7);
    expect(await decode('<double>2.0</double>')).toBe(2);
    expect(await decode('<boolean>1</boolean>')).toBe(true);
    expect(await decode('<string>a &amp; b</string>')).toBe('a & b');
    expect(await decode('plain')).toBe('plain');
    expect(await decode('<string></string>')).toBe('');
  });

  it('reads a zone-less dateTime.iso8601 as UTC', async () => {
    const d = await decode('<dateTime.iso8601>20250102T03:04:05</dateTime.iso8601>');
    expect(d).toEqual(new Date('2025-01-02T03:04:05Z'));
  });

  it('reads base64 as a Buffer', async () => {
    expect(await decode('<base64>aGk=</base64>')).toEqual(Buffer.from('hi'));
  });

  it('reads a koji getHost struct with nil, double, boolean and i8 members', async () => {
    const v = await decode(
      '<struct>' +
        '<member><name>id</name><value><int>3</int></value></member>' +
        '<member><name>update_ts</name><value><nil/></value></member>' +
        '<member><name>capacity</name><value><double>2.0</double></value></member>' +
        '<member><name>enabled</name><value><boolean>0</boolean></value></member>' +
        '<member><name>big</name><value><i8>12345678901234567890</i8></value></member>' +
        '<member><name>arches</name><value><string>x86_64 noarch</string></value></member>' +
        '</struct>',
    );
    expect(v).toEqual({
      id: 3,
      update_ts: null,
      capacity: 2,
      enabled: false,
      big: 12345678901234567890n,
      arches: 'x86_64 noarch',
    });
  });

  it('reads nested and empty arrays', async () => {
    expect(await decode('<array><data></data></array>')).toEqual([]);
    expect(
      await decode(
        '<array><data><value><array><data><value><nil/></value></data></array></value></data></array>',
      ),
    ).toEqual([[null]]);
  });

  it('returns faults with their code and string', async () => {
    const r = await parseResponse(
      '<?xml version="1.0"?><methodResponse><fault><value><struct>' +
        '<member><name>faultCode</name><value><int>1000</int></value></member>' +
        '<member><name>faultString</name><value><string>user already exists: alice</string></value></member>' +
        '</struct></value></fault></methodResponse>',
    );
    expect(r).toEqual({ kind: 'fault', faultCode: 1000, faultString: 'user already exists: alice' });
  });

  it('rejects something that is not XML-RPC', async () => {
    await expect(parseResponse('<html><body>Forbidden</body></html>')).rejects.toThrow(
      /invalid XML-RPC response/,
    );
    await expect(parseResponse('')).rejects.toThrow(/invalid XML-RPC response/);
  });
});

describe('dates', () => {
  it('formats and parses Python DateTime strings', () => {
    const d = new Date(Date.UTC(1999, 11, 31, 23, 59, 58));
    expect(formatDateTime(d)).toBe('19991231T23:59:58');
    expect(parseDateTime('19991231T23:59:58')).toEqual(d);
    expect(parseDateTime('1999-12-31T23:59:58Z')).toEqual(d);
    expect(parseDateTime('2000-01-01T01:59:58+02:00')).toEqual(d);
    expect(() => parseDateTime('yesterday')).toThrow();
  });

  it('parses koji timestamp strings (isoformat(" "))', () => {
    expect(parseKojiTimestamp('2025-01-02 03:04:05.123456')).toEqual(new Date('2025-01-02T03:04:05.123Z'));
    expect(parseKojiTimestamp('2025-01-02 03:04:05+00:00')).toEqual(new Date('2025-01-02T03:04:05Z'));
    expect(parseKojiTimestamp('2025-01-02 05:04:05.5+02:00')).toEqual(new Date('2025-01-02T03:04:05.500Z'));
  });
});
