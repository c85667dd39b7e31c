// Summarises V8 .cpuprofile files (node --cpu-prof): where the self time went, by
// package (an Ordo package, a dependency, node's internals) and by function.
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const packageOf = (url: string): string => {
  if (!url) return '(native / idle / gc)';
  if (url.startsWith('node:')) return 'node internals';
  // PGlite is PostgreSQL compiled to WebAssembly: its functions have wasm:// urls.
  if (url.startsWith('wasm://')) return 'WebAssembly (PGlite: PostgreSQL itself)';
  const dependency = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1] as string;
  const ordo = /\/(infra|contexts|sagas|read-models)\/([^/]+)\//.exec(url);
  return ordo ? `ordo ${ordo[1]}/${ordo[2]}` : path.basename(url);
};

export interface ProfileSummary {
  totalMs: number;
  byPackage: { name: string; ms: number; share: number }[];
  byFunction: { name: string; ms: number; share: number }[];
}

/** Self time per package and per function, over every profile in the folder. */
export const summariseProfiles = (folder: string, top = 8): ProfileSummary | undefined => {
  const files = fs.existsSync(folder) ? fs.readdirSync(folder).filter((file) => file.endsWith('.cpuprofile')) : [];
  if (files.length === 0) return undefined;
  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  let totalMs = 0;
  for (const file of files) {
    const profile = JSON.parse(fs.readFileSync(path.join(folder, file), 'utf8')) as Profile;
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    profile.samples.forEach((id, index) => {
      const node = nodes.get(id);
      const ms = (profile.timeDeltas[index] ?? 0) / 1000;
      if (!node || node.callFrame.functionName === '(idle)') return;
      totalMs += ms;
      const where = packageOf(node.callFrame.url);
      packages.set(where, (packages.get(where) ?? 0) + ms);
      const name = `${node.callFrame.functionName || '(anonymous)'} ${where}`;
      functions.set(name, (functions.get(name) ?? 0) + ms);
    });
  }
  const ranked = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms, share: ms / totalMs }));
  return { totalMs, byPackage: ranked(packages), byFunction: ranked(functions) };
};

export const printProfile = (title: string, summary: ProfileSummary | undefined) => {
  if (!summary) return console.log(`${title}: no CPU profile was written`);
  const percent = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`;
  console.log(`\n${title}: ${(summary.totalMs / 1000).toFixed(1)} s of CPU (not idle), self time`);
  console.log('  by package:');
  for (const row of summary.byPackage) console.log(`    ${percent(row.share)}  ${row.name}`);
  console.log('  by function:');
  for (const row of summary.byFunction) console.log(`    ${percent(row.share)}  ${row.name}`);
};
