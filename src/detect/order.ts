import { Minimatch } from 'minimatch';
import type { Registry } from '../config/schema.ts';
import type { Stack } from '../discovery/stacks.ts';
import { IdlcError } from '../util/errors.ts';

/** Stack id → the stack ids it must run after (over all stacks, from registry dependencies). */
export function dependencyGraph(reg: Registry, stacks: Stack[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>(stacks.map((s) => [s.id, new Set<string>()]));
  const ids = stacks.map((s) => s.id);
  // Globs are bound per env ({env}); compile each bound glob once and match the id list once.
  const compiled = new Map<string, Minimatch>();
  const matcher = (glob: string) => {
    let m = compiled.get(glob);
    if (!m) {
      m = new Minimatch(glob);
      compiled.set(glob, m);
    }
    return m;
  };
  const matches = new Map<string, string[]>();
  const idsMatching = (glob: string) => {
    let list = matches.get(glob);
    if (!list) {
      const m = matcher(glob);
      list = ids.filter((id) => m.match(id));
      matches.set(glob, list);
    }
    return list;
  };
  for (const dep of reg.dependencies) {
    for (const s of stacks) {
      const bind = (glob: string) => glob.replaceAll('{env}', s.env);
      if (!matcher(bind(dep.stacks)).match(s.id)) continue;
      const edges = graph.get(s.id) as Set<string>;
      for (const after of dep.after) {
        for (const other of idsMatching(bind(after))) if (other !== s.id) edges.add(other);
      }
    }
  }
  return graph;
}

function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 1 | 2>();
  const path: string[] = [];
  const visit = (n: string): string[] | undefined => {
    state.set(n, 1);
    path.push(n);
    for (const m of [...(graph.get(n) ?? [])].sort()) {
      if (state.get(m) === 1) return [...path.slice(path.indexOf(m)), m];
      if (!state.has(m)) {
        const c = visit(m);
        if (c) return c;
      }
    }
    path.pop();
    state.set(n, 2);
    return undefined;
  };
  for (const n of [...graph.keys()].sort()) {
    if (!state.has(n)) {
      const c = visit(n);
      if (c) return c;
    }
  }
  return undefined;
}

export interface Ordered {
  /** Stack id → wave number (0 runs first). */
  wave: Map<string, number>;
  waves: string[][];
  /** Edges among the selected stacks (a runs after b), transitively through unselected ones. */
  edges: [string, string][];
}

/**
 * Order the selected stacks into waves. Dependencies pass through stacks that are not
 * selected (a → b → c with only a and c selected still puts c first). A cycle is an error
 * that names it.
 */
export function orderStacks(graph: Map<string, Set<string>>, selected: string[]): Ordered {
  const cycle = findCycle(graph);
  if (cycle) {
    throw new IdlcError({
      file: 'idlc.yaml',
      field: 'dependencies',
      message: `dependency cycle: ${cycle.join(' → ')}`,
      fix: 'remove one of these "after" edges so the stacks can be ordered',
    });
  }
  const sel = new Set(selected);
  const reach = new Map<string, Set<string>>();
  const reachable = (n: string): Set<string> => {
    const cached = reach.get(n);
    if (cached) return cached;
    const out = new Set<string>();
    reach.set(n, out);
    for (const m of graph.get(n) ?? []) {
      if (sel.has(m)) out.add(m);
      else for (const x of reachable(m)) out.add(x);
    }
    return out;
  };
  const edges: [string, string][] = [];
  const wave = new Map<string, number>();
  const depth = (n: string): number => {
    const known = wave.get(n);
    if (known !== undefined) return known;
    let w = 0;
    for (const m of reachable(n)) w = Math.max(w, depth(m) + 1);
    wave.set(n, w);
    return w;
  };
  for (const n of [...sel].sort()) {
    depth(n);
    for (const m of [...reachable(n)].sort()) edges.push([n, m]);
  }
  const waves: string[][] = [];
  for (const [n, w] of [...wave.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const list = waves[w] ?? [];
    list.push(n);
    waves[w] = list;
  }
  return { wave, waves: waves.map((w) => w ?? []), edges };
}
