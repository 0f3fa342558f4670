// Whether this Node satisfies the package's `engines.node` (a plain `>=X.Y[.Z]` range, the only
// form the package uses). A pure function so the check is tested without another Node.
export function nodeVersionProblem(running: string, range: string): string | undefined {
  const wanted = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (!wanted) return undefined;
  const need = [wanted[1], wanted[2], wanted[3]].map((p) => Number(p ?? 0));
  const have = running.split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < 3; i++) {
    if ((have[i] ?? 0) > (need[i] ?? 0)) return undefined;
    if ((have[i] ?? 0) < (need[i] ?? 0)) {
      return `needs Node ${range.replace(/\s/g, '')} (the Kubernetes client's HTTP library requires it); this is Node ${running}`;
    }
  }
  return undefined;
}
