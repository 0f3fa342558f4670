// The koji hub XML-RPC client: see client.ts for the API, faults.ts for the errors.
export { KojiClient, type MultiCallResult, type MultiCallResults } from './client.js';
export { kojiCalls, type KojiCall } from './calls.js';
export {
  KojiTransport,
  type HubDialer,
  type KojiLogger,
  type KojiTransportOptions,
  type RetryOptions,
} from './transport.js';
export * from './faults.js';
export * from './types.js';
export {
  encodeArgs,
  formatDateTime,
  parseDateTime,
  parseKojiTimestamp,
  type KwArgs,
  type XmlRpcStruct,
  type XmlRpcValue,
} from './wire.js';
