// Validates every object of the synthesized manifests against its schema, with the typed models
// of kubernetes-models (core kinds) and @kubernetes-models/* (Argo CD, Argo Workflows, Karpenter,
// CloudNativePG, External Secrets). An ES module of its own because those packages ship ES modules
// only; the jest tests run it as a program: `node validate-manifests.mjs <folder>...`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

interface Doc {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string };
}
interface Validatable {
  validate(): void;
}

const CRD_PACKAGES: Record<string, string> = {
  'argoproj.io/Application': '@kubernetes-models/argo-cd',
  'argoproj.io/WorkflowTemplate': '@kubernetes-models/argo-workflows',
  'karpenter.sh': '@kubernetes-models/karpenter',
  'karpenter.k8s.aws': '@kubernetes-models/karpenter',
  'postgresql.cnpg.io': '@kubernetes-models/cloudnative-pg',
  'external-secrets.io': '@kubernetes-models/external-secrets',
};

function modulePath(doc: Doc): string {
  const [group, version] = doc.apiVersion.includes('/') ? doc.apiVersion.split('/') : ['', doc.apiVersion];
  const crd = CRD_PACKAGES[`${group}/${doc.kind}`] ?? CRD_PACKAGES[group!];
  if (crd) return `${crd}/${group}/${version}/${doc.kind}`;
  return group ? `kubernetes-models/${group}/${version}/${doc.kind}` : `kubernetes-models/${version}/${doc.kind}`;
}

const results: { file: string; kind: string; name: string; error?: string }[] = [];
for (const dir of process.argv.slice(2)) {
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    for (const document of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const doc = document.toJSON() as Doc | null;
      if (!doc) continue;
      const where = { file: join(dir, file), kind: doc.kind, name: doc.metadata?.name ?? '?' };
      try {
        const module = (await import(modulePath(doc))) as Record<string, new (data: unknown) => Validatable>;
        const Model = module[doc.kind];
        if (!Model) throw new Error(`no model for ${doc.apiVersion} ${doc.kind}`);
        new Model(doc).validate();
        results.push(where);
      } catch (e) {
        results.push({ ...where, error: (e as Error).message });
      }
    }
  }
}
process.stdout.write(`${JSON.stringify(results)}\n`);
