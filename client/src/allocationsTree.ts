// Pure model of the Allocations view (no `vscode` import, so node --test covers it): the server's
// per-document results in, filtered and cost-ordered tree nodes out (project → file → method → site).

export interface LspPosition { line: number; character: number; }
export interface LspRange { start: LspPosition; end: LspPosition; }

/** One site as allocationLens/workspaceAllocations reports it. */
export interface ViewSite {
  range: LspRange;
  kind: string;
  category: string;
  type: string;
  bytes?: number | null;
  subject: string;
  message: string;
  loopDepth: number;
  certain: boolean;
  /**
   * After Verify with JIT: "verified" or "disagrees"; "unverified" for a site a JIT verdict applies to that
   * has none yet (never verified, or left unjudged: the hover says why); null where no JIT verdict applies.
   */
  jit?: 'verified' | 'disagrees' | 'unverified' | null;
  /** Cold by construction: "throw", "catch", "static-initializer", ...; null or absent on the normal path. */
  cold?: string | null;
  /** After "Measure allocations": the run's estimated totals at the site (absent where it took no sample). */
  measured?: MeasuredFigures | null;
  /** After "Measure allocations": "ran", "ran-often", "never-ran" or "not-measured"; absent when unknown. */
  coverage?: string | null;
  /** After "Measure allocations": where the run contradicts a `stack` verdict ("static stack, yet measured ~1.2 MB"). */
  disagreement?: string | null;
}

/** Estimated totals of a measured run (sampled): bytes, objects, and the samples behind them. */
export interface MeasuredFigures { bytes: number; objects: number; samples: number; }

/** An allocation the run measured in the user's code where no site is reported (the model's blind spot). */
export interface UnexplainedAllocation { uri: string; path: string; line: number; type: string; method: string; measured: MeasuredFigures; }
export interface ViewMethod { name: string; range: LspRange; sites: ViewSite[]; }
export interface ViewDocument { uri: string; path: string; project: string; target: string; open: boolean; methods: ViewMethod[]; }

export type JitFilter = 'all' | 'verified' | 'disagrees' | 'unverified';
/** How the view orders: by static cost, or by the bytes the last measured run allocated (most first). */
export type ViewOrder = 'cost' | 'measured';
/** What the view shows: kinds, the JIT state, and optionally one method (from its CodeLens); and in which order. */
export interface ViewFilter { heap: boolean; boxed: boolean; stack: boolean; cold: boolean; jit: JitFilter; method?: { uri: string; name: string }; order?: ViewOrder; }
/** Heap and boxed sites, cold ones (listed last) included; stack ones cost nothing and are off until asked for. */
export const defaultFilter: ViewFilter = { heap: true, boxed: true, stack: false, cold: true, jit: 'all', order: 'cost' };

export interface Counts { heap: number; boxed: number; stack: number; }

export interface SiteNode { type: 'site'; id: string; uri: string; site: ViewSite; parent: MethodNode; }
export interface MethodNode { type: 'method'; id: string; uri: string; name: string; range: LspRange; counts: Counts; children: SiteNode[]; parent: FileNode; }
export interface FileNode { type: 'file'; id: string; uri: string; path: string; counts: Counts; children: MethodNode[]; parent: ProjectNode; }
export interface ProjectNode { type: 'project'; id: string; name: string; counts: Counts; children: FileNode[]; }
/** The run's unexplained allocations, one group of their own (the model's blind spots). */
export interface UnexplainedGroupNode { type: 'unexplainedGroup'; id: string; bytes: number; children: UnexplainedNode[]; }
export interface UnexplainedNode { type: 'unexplained'; id: string; allocation: UnexplainedAllocation; parent: UnexplainedGroupNode; }
export type TreeNode = ProjectNode | FileNode | MethodNode | SiteNode | UnexplainedGroupNode | UnexplainedNode;

/** The unexplained allocations as one group, most bytes first; undefined when there are none. */
export function unexplainedGroup(allocations: readonly UnexplainedAllocation[]): UnexplainedGroupNode | undefined {
  if (allocations.length === 0) return undefined;
  const group: UnexplainedGroupNode = { type: 'unexplainedGroup', id: 'unexplained', bytes: 0, children: [] };
  const sorted = [...allocations].sort((a, b) => b.measured.bytes - a.measured.bytes || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || a.line - b.line);
  group.children = sorted.map(allocation => ({ type: 'unexplained' as const, id: `unexplained:${allocation.uri}#${allocation.line}:${allocation.type}`, allocation, parent: group }));
  group.bytes = sorted.reduce((n, a) => n + a.measured.bytes, 0);
  return group;
}

/**
 * Most costly first: heap and boxed on the normal path, then cold ones (a throw, a catch block, an
 * initializer: paid on an error path or once), then stack (which costs nothing); then deeper loops first (a site
 * in a loop is paid per iteration); then certain before "may"; then larger static sizes first (an
 * unknown size after every known one); then source position, so the order is stable.
 */
export function compareSites(a: ViewSite, b: ViewSite): number {
  return rank(a) - rank(b)
    || b.loopDepth - a.loopDepth
    || (a.certain ? 0 : 1) - (b.certain ? 0 : 1)
    || (b.bytes ?? -1) - (a.bytes ?? -1)
    || a.range.start.line - b.range.start.line
    || a.range.start.character - b.range.start.character;
}

/** Most measured bytes first; sites without a measurement after every measured one, in cost order. */
export function compareMeasured(a: ViewSite, b: ViewSite): number {
  return (b.measured?.bytes ?? -1) - (a.measured?.bytes ?? -1) || compareSites(a, b);
}

function rank(site: ViewSite): number { return site.kind === 'stack' ? 2 : site.cold ? 1 : 0; }

export function wantsSite(site: ViewSite, filter: ViewFilter): boolean {
  if (site.kind === 'heap' && !filter.heap) return false;
  if (site.kind === 'boxed' && !filter.boxed) return false;
  if (site.kind === 'stack' && !filter.stack) return false;
  if (site.cold && !filter.cold) return false;
  if (filter.jit === 'verified' && site.jit !== 'verified') return false;
  if (filter.jit === 'disagrees' && site.jit !== 'disagrees') return false;
  if (filter.jit === 'unverified' && site.jit !== 'unverified') return false;
  return true;
}

export function countSites(sites: readonly ViewSite[]): Counts {
  const counts: Counts = { heap: 0, boxed: 0, stack: 0 };
  for (const s of sites) {
    if (s.kind === 'heap') counts.heap++;
    else if (s.kind === 'boxed') counts.boxed++;
    else counts.stack++;
  }
  return counts;
}

function add(a: Counts, b: Counts): Counts { return { heap: a.heap + b.heap, boxed: a.boxed + b.boxed, stack: a.stack + b.stack }; }

/** "3 heap · 1 boxed" (zero counts left out; "no sites" when all are zero). */
export function countsText(counts: Counts): string {
  const parts: string[] = [];
  if (counts.heap > 0) parts.push(`${counts.heap} heap`);
  if (counts.boxed > 0) parts.push(`${counts.boxed} boxed`);
  if (counts.stack > 0) parts.push(`${counts.stack} stack`);
  return parts.length > 0 ? parts.join(' · ') : 'no sites';
}

/** A site's line in the view, after its expression: "heap · 24 B · loop depth 2 · may · JIT ✓". */
/** The word a cold site's hint adds: `once` for initializers, `cold` for error paths. */
export function coldWord(reason: string): string {
  return reason === 'static-initializer' || reason === 'static-constructor' || reason === 'module-initializer' ? 'once' : 'cold';
}

export function siteDescription(site: ViewSite): string {
  const parts = [site.kind];
  if (site.cold) parts.push(coldWord(site.cold));
  if (site.bytes !== undefined && site.bytes !== null) parts.push(`${site.bytes} B`);
  if (site.loopDepth > 0) parts.push(site.loopDepth === 1 ? 'in a loop' : `loop depth ${site.loopDepth}`);
  if (!site.certain) parts.push('may');
  if (site.jit === 'verified') parts.push('JIT ✓');
  else if (site.jit === 'disagrees') parts.push('⚠ JIT disagrees');
  if (site.measured && site.measured.samples > 0) parts.push(`${site.disagreement ? '⚠ ' : ''}measured ~${formatBytes(site.measured.bytes)}`);
  else if (site.coverage === 'never-ran') parts.push('never ran');
  parts.push(`line ${site.range.start.line + 1}`);
  return parts.join(' · ');
}

/** 1.2 MB, 340 KB, 512 B: decimal units, as the server and the CLI print measured figures. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} KB`;
  return `${Math.round(bytes)} B`;
}

/** Whether any site carries a measurement (the measured order only means something then). */
export function hasMeasurements(documents: Iterable<ViewDocument>): boolean {
  for (const d of documents) for (const m of d.methods) for (const s of m.sites) if (s.measured && s.measured.samples > 0) return true;
  return false;
}

/** The unexplained allocations as the view lists them, most bytes first: "Lib.Parser.Next(): List`1+Enumerator · ~2.4 MB · line 41". */
export function unexplainedDescription(u: UnexplainedAllocation): string {
  return `~${formatBytes(u.measured.bytes)} · ${fileName(u.path)}:${u.line + 1}`;
}

export function fileName(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] || p;
}

/** Whether any site carries a JIT verdict (the JIT filters only mean something then). */
export function hasJitVerdicts(documents: Iterable<ViewDocument>): boolean {
  for (const d of documents) for (const m of d.methods) for (const s of m.sites) if (s.jit === 'verified' || s.jit === 'disagrees') return true;
  return false;
}

interface GroupKey { first: ViewSite; total: number; name: string; measured: number; }

/** Orders groups by their costliest site, then by how many sites they have, then by name. */
function compareGroups(a: GroupKey, b: GroupKey): number {
  return compareSites(a.first, b.first) || b.total - a.total || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Measured order: groups by the bytes measured in them, most first; unmeasured groups after, in cost order. */
function compareMeasuredGroups(a: GroupKey, b: GroupKey): number {
  return b.measured - a.measured || compareGroups(a, b);
}

function measuredBytes(sites: readonly ViewSite[]): number {
  let bytes = 0;
  for (const s of sites) bytes += s.measured?.bytes ?? 0;
  return bytes;
}

/** The filtered tree, every level ordered most costly first; groups left empty by the filter are dropped. */
export function buildTree(documents: Iterable<ViewDocument>, filter: ViewFilter): ProjectNode[] {
  const projects = new Map<string, ProjectNode>();
  const firsts = new Map<TreeNode, ViewSite>();
  const measured = new Map<TreeNode, number>();
  const bySite = filter.order === 'measured' ? compareMeasured : compareSites;
  const byGroup = filter.order === 'measured' ? compareMeasuredGroups : compareGroups;
  for (const doc of documents) {
    if (filter.method && filter.method.uri !== doc.uri) continue;
    let project = projects.get(doc.project);
    if (!project) {
      project = { type: 'project', id: `project:${doc.project}`, name: doc.project, counts: { heap: 0, boxed: 0, stack: 0 }, children: [] };
      projects.set(doc.project, project);
    }
    const file: FileNode = { type: 'file', id: `file:${doc.uri}`, uri: doc.uri, path: doc.path, counts: { heap: 0, boxed: 0, stack: 0 }, children: [], parent: project };
    for (const method of doc.methods) {
      if (filter.method && filter.method.name !== method.name) continue;
      const sites = method.sites.filter(s => wantsSite(s, filter)).sort(bySite);
      if (sites.length === 0) continue;
      const node: MethodNode = {
        type: 'method', id: `method:${doc.uri}#${method.range.start.line}:${method.range.start.character}`, uri: doc.uri, name: method.name,
        range: method.range, counts: countSites(sites), children: [], parent: file,
      };
      node.children = sites.map(site => ({
        type: 'site' as const, id: `site:${doc.uri}#${site.range.start.line}:${site.range.start.character}-${site.range.end.line}:${site.range.end.character}:${site.category}`, uri: doc.uri, site, parent: node,
      }));
      firsts.set(node, sites[0]);
      measured.set(node, measuredBytes(sites));
      file.children.push(node);
      file.counts = add(file.counts, node.counts);
    }
    if (file.children.length === 0) continue;
    const key = (n: MethodNode): GroupKey => ({ first: firsts.get(n)!, total: n.children.length, name: n.name, measured: measured.get(n) ?? 0 });
    file.children.sort((a, b) => byGroup(key(a), key(b)));
    firsts.set(file, firsts.get(file.children[0])!);
    measured.set(file, file.children.reduce((n, m) => n + (measured.get(m) ?? 0), 0));
    project.children.push(file);
    project.counts = add(project.counts, file.counts);
  }
  const total = (c: Counts) => c.heap + c.boxed + c.stack;
  const result = [...projects.values()].filter(p => p.children.length > 0);
  const fileKey = (f: FileNode): GroupKey => ({ first: firsts.get(f)!, total: total(f.counts), name: f.path, measured: measured.get(f) ?? 0 });
  for (const project of result) {
    project.children.sort((a, b) => byGroup(fileKey(a), fileKey(b)));
    firsts.set(project, firsts.get(project.children[0])!);
    measured.set(project, project.children.reduce((n, f) => n + (measured.get(f) ?? 0), 0));
  }
  const projectKey = (p: ProjectNode): GroupKey => ({ first: firsts.get(p)!, total: total(p.counts), name: p.name, measured: measured.get(p) ?? 0 });
  return result.sort((a, b) => byGroup(projectKey(a), projectKey(b)));
}

/** Every site node of a tree in display order (depth first), e.g. for "the costliest site". */
export function flattenSites(projects: readonly ProjectNode[]): SiteNode[] {
  return projects.flatMap(p => p.children.flatMap(f => f.children.flatMap(m => m.children)));
}

/** The view's one-line summary: "7 heap · 2 boxed in 3 files", plus what is still computing. */
export function summary(projects: readonly ProjectNode[], state: { loading: boolean; files?: number; done?: number; note?: string | null }): string {
  const files = projects.reduce((n, p) => n + p.children.length, 0);
  const counts = projects.reduce((c, p) => add(c, p.counts), { heap: 0, boxed: 0, stack: 0 } as Counts);
  const text = files === 0 ? (state.loading ? '' : 'No allocation sites match the filter.') : `${countsText(counts)} in ${files} file${files === 1 ? '' : 's'}`;
  const progress = state.loading ? `Computing…${state.done !== undefined && state.files ? ` ${state.done}/${state.files} files` : ''}` : '';
  return [text, progress, state.note ?? ''].filter(s => s.length > 0).join(' — ');
}
