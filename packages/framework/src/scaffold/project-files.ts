// The files of a new operator project (`fedora-operator init`): one controller with typed spec
// and status and its CRD schema, a test against the embedded control plane, and what building,
// testing and deploying it need. Pure: names in, file texts out.

export interface ProjectSettings {
  /** The project and operator name, a DNS label (my-operator). */
  name: string;
  /** The API group of its kind (widgets.example.com). */
  group: string;
  /** The kind (Widget). */
  kind: string;
  /** How package.json names the framework: a version range, or file:<tarball>. */
  frameworkSpec: string;
}

/** Node, TypeScript, jest: the versions the framework is built and tested with. */
const devDependencies = {
  '@types/jest': '^30.0.0',
  '@types/node': '^24.19.2',
  jest: '^30.5.2',
  // Pins the Node the scripts run with (npm puts it first on PATH), whatever the machine has.
  node: '^24.9.0',
  'ts-jest': '29.4',
  typescript: '^5.9.3',
};

export function projectFiles(s: ProjectSettings): Record<string, string> {
  const kind = s.kind;
  const lower = kind.toLowerCase();
  const plural = `${lower}s`;
  const namespace = `${s.name}-system`;
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return {
    'package.json': json({
      name: s.name,
      version: '0.1.0',
      private: true,
      type: 'module',
      engines: { node: '>=22.19' },
      scripts: {
        build: 'tsc -p tsconfig.build.json && npm run manifests',
        manifests: `fedora-operator generate crds dist/main.js --out deploy/crds && fedora-operator generate rbac dist/main.js --out deploy/rbac.yaml --namespace ${namespace} --leader-election`,
        start: 'fedora-operator run dist/main.js',
        cluster: 'fedora-operator cluster --crds deploy/crds',
        // The first build of the embedded control plane takes far longer than a test's timeout.
        pretest: 'fedora-operator cluster --prepare',
        test: 'NODE_OPTIONS=--experimental-vm-modules jest',
      },
      dependencies: { '@fedora-operators/framework': s.frameworkSpec },
      devDependencies,
      allowScripts: { node: true },
    }),
    'tsconfig.json': json({
      compilerOptions: {
        target: 'ES2023',
        lib: ['ES2023'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        // The framework's decorators are TypeScript's legacy ones (like NestJS's): without these
        // two, tsc fails with TS1241/TS1270 on every handler.
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        esModuleInterop: true,
        isolatedModules: true,
        sourceMap: true,
        outDir: 'dist',
        types: ['node', 'jest'],
      },
      include: ['src', 'test'],
    }),
    'tsconfig.build.json': json({
      extends: './tsconfig.json',
      compilerOptions: { rootDir: 'src', types: ['node'] },
      include: ['src'],
    }),
    'jest.config.js': `// ESM TypeScript tests: ts-jest compiles them as ES modules (run with
// NODE_OPTIONS=--experimental-vm-modules, as \`npm test\` does); imports written with .js
// resolve to the .ts files.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\\\.ts$': ['ts-jest', { useESM: true }] },
  moduleNameMapper: { '^(\\\\.{1,2}/.*)\\\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // Starting the embedded control plane and the operator (its first build is the pretest script).
  testTimeout: 120000,
};
`,
    '.gitignore': 'node_modules/\ndist/\n',
    [`src/${lower}.ts`]: `// The ${kind} kind: its spec and status types and the schema its CRD is generated from
// (\`npm run manifests\` writes deploy/crds/).
import type { CrdSchema, KubeObject } from '@fedora-operators/framework';

export interface ${kind}Spec {
  /** How many items the ${kind} holds. */
  size: number;
  message?: string;
}

export interface ${kind}Status {
  size?: number;
  /** The ConfigMap this ${kind} keeps. */
  configMap?: string;
}

export type ${kind} = KubeObject<${kind}Spec, ${kind}Status>;

export const ${lower}Resource = {
  group: '${s.group}',
  version: 'v1',
  kind: '${kind}',
  plural: '${plural}',
  namespaced: true,
};

export const ${lower}Schema: CrdSchema = {
  description: 'A ${kind}, kept by ${s.name}.',
  spec: {
    type: 'object',
    required: ['size'],
    properties: {
      size: { type: 'integer', minimum: 0, maximum: 100 },
      message: {
        type: 'string',
        maxLength: 256,
        'x-kubernetes-validations': [{ rule: "!self.contains('\\\\n')", message: 'must be one line' }],
      },
    },
  },
  status: {
    type: 'object',
    properties: { size: { type: 'integer' }, configMap: { type: 'string' } },
  },
  printerColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
};
`,
    [`src/${lower}.controller.ts`]: `// Keeps one ConfigMap per ${kind} with its size and message, and reports them in status.
import {
  Controller,
  CoreResources,
  Owns,
  Reconcile,
  type HandlerContext,
} from '@fedora-operators/framework';
import { ${lower}Resource, ${lower}Schema, type ${kind}Spec, type ${kind}Status } from './${lower}.js';

@Controller({ ...${lower}Resource, crd: ${lower}Schema })
@Owns({ apiVersion: 'v1', kind: 'ConfigMap' })
export class ${kind}Controller {
  /** Level-triggered: on every change of the ${kind}, of its ConfigMap, and on resync. */
  @Reconcile()
  async reconcile(ctx: HandlerContext<${kind}Spec, ${kind}Status>) {
    const name = \`\${ctx.name}-${lower}\`;
    await ctx.apply(CoreResources.configMap, {
      metadata: { name, namespace: ctx.namespace },
      data: { size: String(ctx.spec.size), message: ctx.spec.message ?? '' },
    });
    ctx.patch.status.size = ctx.spec.size;
    ctx.patch.status.configMap = name;
  }
}
`,
    'src/main.ts': `// The operator module: \`fedora-operator run dist/main.js\` registers these controllers.
import type { OperatorOptions } from '@fedora-operators/framework';
import { ${kind}Controller } from './${lower}.controller.js';

export const options: OperatorOptions = { name: '${s.name}' };

export default [${kind}Controller];
`,
    [`test/${lower}.test.ts`]: `// Runs the controller against a real kube-apiserver: KUBECONFIG's cluster if set, else an
// embedded etcd + kube-apiserver the testing kit starts (built once per machine; needs Go).
import { CoreResources, type KubeObject } from '@fedora-operators/framework';
import {
  startOperator,
  startTestCluster,
  waitForCondition,
  waitForObject,
  type RunningOperator,
  type TestCluster,
} from '@fedora-operators/framework/testing';
import { ${kind}Controller } from '../src/${lower}.controller.js';
import { ${lower}Resource, type ${kind} } from '../src/${lower}.js';

let cluster: TestCluster;
let operator: RunningOperator;
let namespace: string;

beforeAll(async () => {
  cluster = await startTestCluster();
  await cluster.installCrds([${kind}Controller]);
  namespace = (await cluster.createNamespace('${lower}')).name;
  operator = await startOperator([${kind}Controller], { kubeconfig: cluster.kubeconfig, namespaces: [namespace] });
});

afterAll(async () => {
  await operator?.stop();
  await cluster?.stop();
});

test('a ${kind} gets its ConfigMap, its status and Ready', async () => {
  await cluster.client.create<${kind}>(${lower}Resource, {
    metadata: { name: 'first', namespace },
    spec: { size: 3, message: 'hello' },
  });
  const ready = await waitForCondition<${kind}>(cluster.client, ${lower}Resource, namespace, 'first', 'Ready');
  expect(ready.status).toMatchObject({ size: 3, configMap: 'first-${lower}' });
  const configMap = await waitForObject<KubeObject>(
    cluster.client,
    CoreResources.configMap,
    namespace,
    'first-${lower}',
    (o) => o !== undefined,
  );
  expect(configMap?.data).toEqual({ size: '3', message: 'hello' });
});

test('the apiserver refuses a ${kind} the schema does not allow', async () => {
  await expect(
    cluster.client.create<${kind}>(${lower}Resource, { metadata: { name: 'bad', namespace }, spec: { size: -1 } }),
  ).rejects.toThrow(/spec.size/);
});
`,
    Dockerfile: `# The operator image: the compiled module run by the framework's CLI.
FROM registry.fedoraproject.org/fedora-minimal:43 AS build
RUN microdnf install -y nodejs npm && microdnf clean all
WORKDIR /src
COPY package*.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM registry.fedoraproject.org/fedora-minimal:43
RUN microdnf install -y nodejs && microdnf clean all
WORKDIR /app
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/package.json ./
USER 65532
ENTRYPOINT ["node", "node_modules/@fedora-operators/framework/dist/cli/bin.js", "run", "dist/main.js"]
`,
    'deploy/namespace.yaml': `apiVersion: v1
kind: Namespace
metadata:
  name: ${namespace}
`,
    'deploy/service-account.yaml': `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${s.name}
  namespace: ${namespace}
`,
    'deploy/deployment.yaml': `# One replica holds the Lease and runs handlers; a second one waits to take over.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${s.name}
  namespace: ${namespace}
spec:
  replicas: 2
  selector:
    matchLabels: { app.kubernetes.io/name: ${s.name} }
  template:
    metadata:
      labels: { app.kubernetes.io/name: ${s.name} }
    spec:
      serviceAccountName: ${s.name}
      containers:
        - name: operator
          image: ${s.name}:latest
          args: [--leader-elect, --health-port, '8080']
          env:
            - name: POD_NAMESPACE
              valueFrom: { fieldRef: { fieldPath: metadata.namespace } }
          ports: [{ name: http, containerPort: 8080 }]
          readinessProbe: { httpGet: { path: /readyz, port: http } }
          livenessProbe: { httpGet: { path: /healthz, port: http } }
`,
    'README.md': `# ${s.name}

A Kubernetes operator for the \`${kind}\` kind (\`${plural}.${s.group}\`), built on
[@fedora-operators/framework](https://www.npmjs.com/package/@fedora-operators/framework).

    npm install
    npm test              # against an embedded kube-apiserver (or KUBECONFIG's cluster)
    npm run build         # dist/ and the generated deploy/crds/ and deploy/rbac.yaml
    npm run cluster       # an embedded control plane with the CRDs; prints its KUBECONFIG
    KUBECONFIG=... npm start

Deploy: build the image from the Dockerfile, then
\`kubectl apply -f deploy/crds/ -f deploy/namespace.yaml -f deploy/service-account.yaml -f deploy/rbac.yaml -f deploy/deployment.yaml\`.
`,
  };
}
