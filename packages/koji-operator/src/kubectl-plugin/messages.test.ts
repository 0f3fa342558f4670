import {
  ExitCode,
  errorText,
  exitFromStatus,
  forbiddenMessage,
  httpStatusOf,
  hubNotFoundMessage,
  noAdminContainerMessage,
  noHubMessage,
  noReadyPodMessage,
  noSidecarMessage,
  severalHubsMessage,
} from './messages.js';

describe('error messages', () => {
  test('no sidecar: the exact patch command for that hub, and that the Deployment then rolls', () => {
    const error = noSidecarMessage('fedora-hub', 'koji');
    expect(error.exitCode).toBe(ExitCode.noSidecar);
    expect(error.message).toBe(
      [
        'error: KojiHub "fedora-hub" in namespace "koji" has no admin sidecar (spec.sidecar is not true),',
        'so there is no koji-admin container to run koji in. To enable it:',
        '',
        `  kubectl patch kojihub fedora-hub -n koji --type merge -p '{"spec":{"sidecar":true}}'`,
        '',
        'The operator then adds the koji-admin container (koji configured as the Koji admin) to',
        'Deployment "fedora-hub", which rolls out new hub pods. Wait for them with',
        '',
        '  kubectl rollout status deployment/fedora-hub -n koji',
        '',
        'and run this command again.',
      ].join('\n'),
    );
  });

  test('no hub, an unknown hub, several hubs: exit 65, each with its own text', () => {
    expect(noHubMessage('koji')).toMatchObject({
      exitCode: 65,
      message: expect.stringContaining('error: there is no KojiHub in namespace "koji".'),
    });
    expect(noHubMessage('koji').message).toContain('kubectl get kojihubs --all-namespaces');
    expect(hubNotFoundMessage('x', 'koji', ['a', 'b'])).toMatchObject({
      exitCode: 65,
      message: 'error: KojiHub "x" was not found in namespace "koji"; the KojiHubs there are: a, b.',
    });
    expect(hubNotFoundMessage('x', 'koji', []).message).toContain('there is no KojiHub in that namespace');
    expect(severalHubsMessage('koji', ['a', 'b'])).toMatchObject({
      exitCode: 65,
      message:
        'error: namespace "koji" has 2 KojiHubs (a, b); choose one with --hub, e.g.\n' +
        '  kubectl koji -n koji --hub a <koji command>',
    });
  });

  test('no Ready pod (67) lists the pods it saw; no koji-admin container (68) says to wait for the rollout', () => {
    const noPod = noReadyPodMessage('h', 'koji', [
      { name: 'h-1', phase: 'Pending', ready: false, terminating: false },
      { name: 'h-0', phase: 'Running', ready: true, terminating: true },
    ]);
    expect(noPod.exitCode).toBe(67);
    expect(noPod.message).toContain(
      'error: KojiHub "h" in namespace "koji" has no Ready pod to run koji in; its pods: h-1 (Pending, not Ready), h-0 (Terminating, Ready).',
    );
    expect(noPod.message).toContain(
      'kubectl get pods -n koji -l app.kubernetes.io/name=koji-hub,app.kubernetes.io/instance=h',
    );
    expect(noReadyPodMessage('h', 'koji', []).message).toContain(
      'has no Ready pod to run koji in; it has no pods.',
    );
    const noAdmin = noAdminContainerMessage('h', 'koji', ['h-0']);
    expect(noAdmin.exitCode).toBe(68);
    expect(noAdmin.message).toContain(
      'has spec.sidecar: true, but its Ready pod (h-0) has no koji-admin container yet.',
    );
    expect(noAdmin.message).toContain('kubectl rollout status deployment/h -n koji');
  });

  test('forbidden (69) names what was denied and the rule that allows it', () => {
    const exec = forbiddenMessage('exec', 'koji', 'pod h-0');
    expect(exec.exitCode).toBe(69);
    expect(exec.message).toBe(
      [
        'error: you are not allowed to exec into pods in namespace "koji" (HTTP 403 Forbidden): pod h-0.',
        'kubectl koji needs a Role in that namespace with verbs [get, create] on pods/exec; check with',
        '  kubectl auth can-i create pods/exec -n koji',
      ].join('\n'),
    );
    expect(forbiddenMessage('list-hubs', 'koji').message).toContain(
      'kubectl auth can-i list kojihubs.koji.fedoraproject.org -n koji',
    );
    expect(forbiddenMessage('list-pods', 'koji').message).toContain('verbs [list] on pods;');
  });
});

describe('httpStatusOf and errorText', () => {
  test('ApiException codes and WebSocket upgrade failures', () => {
    expect(httpStatusOf({ code: 403 })).toBe(403);
    expect(httpStatusOf(new Error('Unexpected server response: 403'))).toBe(403);
    expect(httpStatusOf(new Error('connect ECONNREFUSED 127.0.0.1:6443'))).toBeUndefined();
  });

  test("the Status message of an ApiException, else the error's first line", () => {
    expect(errorText({ code: 404, body: '{"kind":"Status","message":"kojihubs.x \\"a\\" not found"}' })).toBe(
      'kojihubs.x "a" not found (HTTP 404)',
    );
    expect(errorText(new Error('first line\nsecond'))).toBe('first line');
    expect(errorText(new Error('fetch failed', { cause: new Error('ECONNREFUSED') }))).toBe(
      'fetch failed: ECONNREFUSED',
    );
  });
});

describe('exitFromStatus (the exec status channel)', () => {
  test('Success is 0', () => {
    expect(exitFromStatus({ status: 'Success', metadata: {} } as never)).toEqual({ code: 0 });
  });

  test("a kubelet's NonZeroExitCode carries the code in its ExitCode cause", () => {
    expect(
      exitFromStatus({
        status: 'Failure',
        reason: 'NonZeroExitCode',
        message: 'command terminated with non-zero exit code: error executing command [koji x], exit code 2',
        details: { causes: [{ reason: 'ExitCode', message: '2' }] },
      }),
    ).toEqual({ code: 2 });
  });

  test("KWOK's local exec reports the code as 'exit status N' at the end of the message", () => {
    expect(
      exitFromStatus({
        status: 'Failure',
        reason: 'InternalError',
        message:
          'Internal error occurred: error executing command in container: cmd wait: koji grant-permission repo x: exit status 2',
      }),
    ).toEqual({ code: 2 });
  });

  test("any other failure is the plugin's (70), with the message", () => {
    expect(
      exitFromStatus({
        status: 'Failure',
        reason: 'InternalError',
        message: 'error executing command in container: executable file not found in $PATH',
      }),
    ).toEqual({
      code: 70,
      message:
        'error: running koji in the koji-admin container failed: error executing command in container: executable file not found in $PATH',
    });
    expect(exitFromStatus(undefined)).toEqual({
      code: 70,
      message: 'error: the exec connection closed without reporting the exit status of koji',
    });
  });
});
