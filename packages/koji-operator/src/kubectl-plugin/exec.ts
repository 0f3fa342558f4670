// Runs a command in a pod's container through the Kubernetes exec API (client-node's Exec over a
// WebSocket), the way `kubectl exec -i [-t]` does: stdout/stderr streamed as they come, stdin
// forwarded (closed on the remote side when ours ends), a TTY when our stdin is a terminal, and
// the remote exit code from the status channel.
import { PassThrough, Writable, type Readable } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import { WebSocketHandler } from '@kubernetes/client-node/dist/web-socket-handler.js';
import { exitFromStatus, type ExecStatus } from './messages.js';

export interface ExecIO {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
}

export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
}

/** A Writable that forwards to `target` but is never ended by the exec handler. */
function forwardTo(target: Writable): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      target.write(chunk, (error) => callback(error ?? null));
    },
  });
}

/**
 * Runs the command; resolves with the remote exit code and, when the plugin rather than the
 * command failed, a message. Rejects when the WebSocket cannot be opened (e.g. HTTP 403).
 */
export async function execInContainer(
  kc: KubeConfig,
  target: ExecTarget,
  io: ExecIO,
): Promise<{ code: number; message?: string }> {
  const tty = io.stdin.isTTY === true;
  // The handler's own streams only receive CLOSE frames; keep them away from process.std*.
  const handler = new WebSocketHandler(kc, undefined, {
    stdin: new PassThrough(),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
  });
  const exec = new Exec(kc, handler);

  // stdin goes through a PassThrough that is ended only once we know the protocol can close
  // stdin alone (v5.channel.k8s.io); with older protocols ending it would close the socket.
  const stdin = new PassThrough();
  let stdinEnded = false;
  let socketProtocol: string | undefined;
  const onData = (chunk: Buffer) => stdin.write(chunk);
  const onEnd = () => {
    stdinEnded = true;
    if (socketProtocol === 'v5.channel.k8s.io') stdin.end();
  };
  io.stdin.on('data', onData);
  io.stdin.on('end', onEnd);
  const restoreTerminal = tty && io.stdin.setRawMode ? () => io.stdin.setRawMode?.(false) : () => {};
  if (tty) io.stdin.setRawMode?.(true);

  // With a TTY the remote side merges stderr into stdout, as kubectl exec -t does; stdout is the
  // terminal itself so that client-node forwards its resizes.
  const stdout = tty && io.stdout.isTTY ? io.stdout : forwardTo(io.stdout);
  const stderr = tty ? null : forwardTo(io.stderr);
  let status: ExecStatus | undefined;
  try {
    const socket = await exec.exec(
      target.namespace,
      target.pod,
      target.container,
      target.command,
      stdout,
      stderr,
      stdin,
      tty,
      (s: V1Status) => {
        status = s as ExecStatus;
      },
    );
    socketProtocol = socket.protocol;
    if (stdinEnded && socketProtocol === 'v5.channel.k8s.io') stdin.end();
    await new Promise<void>((resolve) => {
      if (socket.readyState === socket.CLOSED) resolve();
      else socket.once('close', () => resolve());
    });
    return exitFromStatus(status);
  } finally {
    io.stdin.off('data', onData);
    io.stdin.off('end', onEnd);
    restoreTerminal();
    // Do not keep the process alive waiting for more input.
    io.stdin.pause();
  }
}
