// koji's XML-RPC wire format: encoding requests and decoding responses.
//
// Checked against koji-project/koji at commit 2083513a (koji 1.35.3 + master): koji/xmlrpcplus.py
// (ExtendedMarshaller: <i8> beyond ±2^31, allow_none), kojihub/kojixmlrpc.py (Marshaller sends
// datetimes as isoformat(' ') strings; requests are read with xmlrpc.client.getparser(), so a
// <dateTime.iso8601> we send becomes an xmlrpc DateTime), koji/__init__.py (encode_args /
// decode_args: keyword arguments travel as a trailing struct with `__starstar: true`).
//
// We build on the `xmlrpc` package's serializer and SAX deserializer (its lib/ modules; the
// package's main entry exports only its client and server) but not its Client, and we adjust
// what it gets wrong for koji:
// - numbers: it writes every integral JS number as <int>, including values beyond ±2^31 that
//   Python's xmlrpc would then have to read from an <int>; koji writes those as <i8>, so we do.
//   bigint, undefined and functions it silently turns into an empty <value/>, which Python
//   reads as "" — we encode bigint as <i8> and refuse the rest.
// - <i8>: it returns the digits as a string, which after parsing cannot be told from a real
//   string. We override its end-of-<i8> handler to return a number when exactly representable
//   (|n| <= 2^53 - 1) and a bigint beyond that.
// - dateTime.iso8601: it encodes with a process-global formatter (local time unless changed)
//   and decodes a zone-less value in the process's local time zone. koji's hub sends and
//   expects zone-less "YYYYMMDDTHH:MM:SS" (Python's xmlrpc DateTime); we use UTC both ways, so
//   results do not depend on the operator pod's TZ.
// - nil: it already reads and writes <nil/> (koji sends it from every void method).
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';

import { KojiProtocolError } from './faults.js';

/** What a decoded XML-RPC value can be. */
export type XmlRpcValue =
  null | boolean | number | bigint | string | Date | Buffer | XmlRpcValue[] | XmlRpcStruct;
export interface XmlRpcStruct {
  [key: string]: XmlRpcValue;
}

/** Keyword arguments for a koji method: undefined members are left out (the hub's default applies). */
export type KwArgs = Record<string, unknown>;

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const I8_MIN = -(2n ** 63n);
const I8_MAX = 2n ** 63n - 1n;

// ---- the xmlrpc package's internals we use, typed here (they have no .d.ts of their own) ----

interface XmlBuilderNode {
  ele(name: string): XmlBuilderNode;
  txt(text: string): XmlBuilderNode;
}

interface SaxDeserializer {
  stack: unknown[];
  endI8(data: string): void;
  endDateTime(data: string): void;
  push(value: unknown): void;
  value: boolean;
  deserializeMethodResponse(
    stream: Readable,
    cb: (err: XmlRpcDecodeError | null, result?: unknown) => void,
  ): void;
}
interface XmlRpcDecodeError extends Error {
  faultCode?: unknown;
  faultString?: unknown;
}

const require = createRequire(import.meta.url);
const Serializer = require('xmlrpc/lib/serializer.js') as {
  serializeMethodCall(method: string, params: unknown[], encoding?: string): string;
};
const Deserializer = require('xmlrpc/lib/deserializer.js') as new (encoding?: string) => SaxDeserializer;
// Loaded through the same require as the serializer: it tests `instanceof CustomType`, so both
// must be the same module instance (an ESM import could get another copy under jest).
const CustomType = require('xmlrpc/lib/customtype.js') as new (raw: string) => {
  raw: string;
  tagName: string;
  serialize(xml: XmlBuilderNode): XmlBuilderNode;
};

/** A value written with an explicit tag (<i8>, <dateTime.iso8601>), via the package's CustomType. */
class TaggedValue extends CustomType {
  constructor(tagName: string, raw: string) {
    super(raw);
    this.tagName = tagName;
  }
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Python xmlrpc.client.DateTime's format, in UTC (koji's hub is zone-less here). */
export function formatDateTime(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new TypeError('cannot encode an invalid Date');
  return (
    `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

// Accepts "20250102T03:04:05", "2025-01-02T03:04:05", optional fraction and Z/±hh[:mm] suffix.
const ISO8601 = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Decodes a <dateTime.iso8601>; a value with no zone is taken as UTC. */
export function parseDateTime(text: string): Date {
  const m = ISO8601.exec(text.trim());
  if (!m) throw new KojiProtocolError(`invalid dateTime.iso8601 value '${text}'`);
  return isoPartsToDate(m);
}

// koji's hub sends Python datetimes as strings, `isoformat(' ')`: "2025-01-02 03:04:05.123456"
// or with "+00:00" when the value carries a zone (PostgreSQL timestamptz columns do).
const KOJI_TS = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Parses a koji timestamp string (datetime.isoformat(' ')); zone-less means UTC. */
export function parseKojiTimestamp(text: string): Date {
  const m = KOJI_TS.exec(text.trim());
  if (!m) throw new KojiProtocolError(`invalid koji timestamp '${text}'`);
  return isoPartsToDate(m);
}

function isoPartsToDate(m: RegExpExecArray): Date {
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
    t -= sign * offsetMin * 60_000;
  }
  const date = new Date(t);
  if (Number.isNaN(date.getTime())) throw new KojiProtocolError(`invalid date '${m[0]}'`);
  return date;
}

function encodeInteger(n: bigint): unknown {
  if (n < I8_MIN || n > I8_MAX) throw new RangeError(`integer ${n} exceeds XML-RPC i8 limits`);
  if (n >= BigInt(INT32_MIN) && n <= BigInt(INT32_MAX)) return Number(n);
  return new TaggedValue('i8', n.toString());
}

/** Turns a JS value into what the package's serializer writes the way koji's marshaller does. */
function toWire(value: unknown, path: string): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'bigint':
      return encodeInteger(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path}: cannot encode ${value} in XML-RPC`);
      if (Number.isInteger(value)) return encodeInteger(BigInt(value));
      return value; // written as <double>
    case 'undefined':
      // Positional undefined would become an empty <value/>, read by Python as "". nil is the
      // honest encoding of "no value" (koji treats None as the default for optional args).
      return null;
    case 'object':
      if (value === null) return null;
      if (value instanceof Date) return new TaggedValue('dateTime.iso8601', formatDateTime(value));
      if (Buffer.isBuffer(value)) return value;
      if (value instanceof Uint8Array) return Buffer.from(value);
      if (Array.isArray(value)) return value.map((v, i) => toWire(v, `${path}[${i}]`));
      if (isPlainObject(value)) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
          if (v !== undefined) out[k] = toWire(v, `${path}.${k}`);
        }
        return out;
      }
      throw new TypeError(`${path}: cannot encode ${Object.prototype.toString.call(value)} in XML-RPC`);
    default:
      throw new TypeError(`${path}: cannot encode a ${typeof value} in XML-RPC`);
  }
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * koji.encode_args: positional args, then the keyword args as a trailing struct marked
 * `__starstar: true` — only when there is at least one defined keyword argument, as koji does.
 */
export function encodeArgs(args: readonly unknown[], kwargs?: KwArgs): unknown[] {
  const opts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs ?? {})) if (v !== undefined) opts[k] = v;
  return Object.keys(opts).length > 0 ? [...args, { ...opts, __starstar: true }] : [...args];
}

/** The XML body of a methodCall. */
export function serializeCall(method: string, params: readonly unknown[]): string {
  const wire = params.map((p, i) => toWire(p, `${method} param ${i}`));
  return Serializer.serializeMethodCall(method, wire, 'utf-8');
}

export type DecodedResponse =
  { kind: 'result'; value: XmlRpcValue } | { kind: 'fault'; faultCode: number; faultString: string };

function decodeI8(data: string): number | bigint {
  const trimmed = data.trim();
  if (!/^[-+]?\d+$/.test(trimmed)) throw new Error(`Expected integer (I8) value but got '${data}'`);
  const big = BigInt(trimmed);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** Parses a methodResponse body: a value, or a fault with its code and string. */
export function parseResponse(body: Buffer | string): Promise<DecodedResponse> {
  return new Promise((resolve, reject) => {
    const d = new Deserializer('utf8');
    // Per-instance overrides of the package's handlers (see the header comment for why).
    d.endI8 = function (this: SaxDeserializer, data: string) {
      this.push(decodeI8(data));
      this.value = false;
    };
    d.endDateTime = function (this: SaxDeserializer, data: string) {
      this.push(parseDateTime(data));
      this.value = false;
    };
    let settled = false; // the package may call back twice (a stream error after an XML error)
    d.deserializeMethodResponse(
      Readable.from([Buffer.isBuffer(body) ? body : Buffer.from(body)]),
      (err, res) => {
        if (settled) return;
        settled = true;
        if (!err) {
          resolve({ kind: 'result', value: res as XmlRpcValue });
        } else if (err.faultCode !== undefined) {
          const code = typeof err.faultCode === 'bigint' ? Number(err.faultCode) : err.faultCode;
          if (typeof code !== 'number' || !Number.isInteger(code)) {
            reject(new KojiProtocolError('fault without an integer faultCode'));
            return;
          }
          resolve({ kind: 'fault', faultCode: code, faultString: String(err.faultString ?? '') });
        } else {
          reject(new KojiProtocolError(`invalid XML-RPC response: ${err.message}`, { cause: err }));
        }
      },
    );
  });
}
