// Reading and writing the data of Secrets as text (the API carries it base64-encoded).
import { CoreResources, type KubeClient, type KubeObject } from '@fedora-operators/framework';

export interface SecretObject extends KubeObject {
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** The Secret's keys decoded as UTF-8, or undefined when there is no such Secret. */
export async function readSecretData(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<Record<string, string> | undefined> {
  const secret = await client.find<SecretObject>(CoreResources.secret, namespace, name);
  if (!secret) return undefined;
  return Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
}

export function encodeSecretData(data: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]),
  );
}
