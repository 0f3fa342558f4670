// Command-line parsing for `kubectl koji` (pure: no I/O). The plugin's own options come first,
// as kubectl plugins and krew expect; everything from the first argument that is not one of
// them (the koji subcommand) or after `--` is passed to koji untouched, so
// `kubectl koji grant-permission repo kojira` and `kubectl koji list-permissions --user kojira`
// work as written.

export interface PluginOptions {
  /** -n/--namespace; else the kubeconfig context's namespace; else "default". */
  namespace?: string;
  /** --context: a context of the kubeconfig other than the current one. */
  context?: string;
  /** --kubeconfig: a kubeconfig file instead of $KUBECONFIG / ~/.kube/config. */
  kubeconfig?: string;
  /** --hub: the KojiHub to use when the namespace has several. */
  hub?: string;
}

export type ParsedArgs =
  | { kind: 'help' }
  | { kind: 'run'; options: PluginOptions; kojiArgs: string[] }
  | { kind: 'usage-error'; message: string };

const valueOptions: Record<string, keyof PluginOptions> = {
  '-n': 'namespace',
  '--namespace': 'namespace',
  '--context': 'context',
  '--kubeconfig': 'kubeconfig',
  '--hub': 'hub',
};

export const USAGE = `kubectl koji: run koji commands as the Koji admin, in the admin sidecar (container koji-admin) of a KojiHub's pod.

Usage:
  kubectl koji [options] [--] <koji command> [koji arguments...]

Examples:
  # Give the user kojira the repo permission on the KojiHub of namespace koji
  kubectl koji -n koji grant-permission repo kojira

  # List a user's permissions on the KojiHub named fedora-hub
  kubectl koji -n koji --hub fedora-hub list-permissions --user kojira

  # koji's own global options go after --
  kubectl koji -- --help

Options:
  -n, --namespace <name>   namespace of the KojiHub (default: the context's namespace, else "default")
      --hub <name>         the KojiHub to use when the namespace has several
      --context <name>     kubeconfig context to use
      --kubeconfig <file>  kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)
  -h, --help               show this help

The hub needs its admin sidecar (spec.sidecar: true). koji's output and exit code are passed
through; stdin is forwarded, and a terminal is allocated when stdin is one.
Exit codes of the plugin itself: 64 usage, 65 no KojiHub, 66 no admin sidecar, 67 no Ready pod,
68 pod without the koji-admin container, 69 forbidden, 70 other Kubernetes API or exec failure.
`;

/** Parses the arguments that follow `kubectl koji` (process.argv.slice(2)). */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const options: PluginOptions = {};
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      i++;
      break;
    }
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (!arg.startsWith('-') || arg === '-') break;

    let name = arg;
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      name = arg.slice(0, eq);
      value = arg.slice(eq + 1);
    } else if (arg.startsWith('-n') && arg !== '-n' && !arg.startsWith('--')) {
      // -nkoji and -n=koji, as kubectl accepts them
      name = '-n';
      value = arg.slice(2).replace(/^=/, '');
    }
    const key = valueOptions[name];
    if (!key) {
      return {
        kind: 'usage-error',
        message:
          `unknown option ${JSON.stringify(name)}. The plugin's options are -n/--namespace, --hub, --context, ` +
          `--kubeconfig and -h/--help; to give koji a global option, put it after --, as in 'kubectl koji -- ${arg} ...'`,
      };
    }
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined) return { kind: 'usage-error', message: `option ${name} needs a value` };
      i++;
    }
    if (value === '') return { kind: 'usage-error', message: `option ${name} needs a non-empty value` };
    if (options[key] !== undefined && options[key] !== value) {
      return { kind: 'usage-error', message: `option ${name} is given twice with different values` };
    }
    options[key] = value;
  }
  const kojiArgs = argv.slice(i);
  if (kojiArgs.length === 0) {
    return {
      kind: 'usage-error',
      message:
        "no koji command given, e.g. 'kubectl koji grant-permission repo kojira' (see 'kubectl koji --help')",
    };
  }
  return { kind: 'run', options, kojiArgs };
}
