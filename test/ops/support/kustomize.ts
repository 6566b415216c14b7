import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * A renderer for the subset of kustomize that deploy/k8s uses, so tests can check the manifests
 * as `kubectl kustomize` would produce them without a cluster or the kustomize binary. Any
 * kustomization field outside the subset is an error, never silently ignored:
 * - resources (files, or directories holding a kustomization.yaml), namespace,
 * - labels (pairs; includeSelectors must be false; includeTemplates adds them to pod templates),
 * - images (name, newName, newTag), and
 * - patches given by path: strategic-merge patches that name their target by kind and name.
 *   Lists of objects with a `name` (containers, env, volumes, ports...) merge by name; other
 *   lists are replaced, as kustomize does for fields without a merge key.
 */
export type K8sObject = Record<string, any> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
};

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'labels', 'images', 'patches']);
const CLUSTER_SCOPED = new Set(['Namespace']);
const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

export function readYamlDocuments(path: string): K8sObject[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0].message}`);
      return doc.toJS() as K8sObject;
    })
    .filter((doc) => doc !== null);
}

export function kustomize(directory: string): K8sObject[] {
  const file = join(directory, 'kustomization.yaml');
  const [kustomization] = readYamlDocuments(file) as Record<string, any>[];
  const unsupported = Object.keys(kustomization).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length > 0) throw new Error(`${file}: unsupported fields ${unsupported.join(', ')}`);

  let objects: K8sObject[] = [];
  for (const entry of kustomization.resources ?? []) {
    const path = resolve(directory, entry);
    if (!existsSync(path)) throw new Error(`${file}: resource ${entry} does not exist`);
    objects.push(...(statSync(path).isDirectory() ? kustomize(path) : readYamlDocuments(path)));
  }
  for (const patch of kustomization.patches ?? []) {
    if (typeof patch.path !== 'string' || Object.keys(patch).length !== 1) throw new Error(`${file}: only "path" patches are supported`);
    for (const change of readYamlDocuments(resolve(directory, patch.path))) {
      const index = objects.findIndex((o) => o.kind === change.kind && o.metadata.name === change.metadata.name);
      if (index < 0) throw new Error(`${file}: patch ${patch.path} targets ${change.kind}/${change.metadata.name}, which does not exist`);
      objects[index] = strategicMerge(objects[index], change) as K8sObject;
    }
  }
  for (const label of kustomization.labels ?? []) {
    if (label.includeSelectors !== false) throw new Error(`${file}: labels must set includeSelectors: false (selectors are immutable)`);
    objects = objects.map((o) => addLabels(o, label.pairs, label.includeTemplates === true));
  }
  for (const image of kustomization.images ?? []) objects = objects.map((o) => setImage(o, image));
  if (kustomization.namespace) {
    objects = objects.map((o) =>
      CLUSTER_SCOPED.has(o.kind) ? o : { ...o, metadata: { ...o.metadata, namespace: kustomization.namespace } },
    );
  }
  return objects;
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function strategicMerge(base: unknown, patch: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(patch)) {
    const byName =
      patch.every((item) => isObject(item) && typeof item.name === 'string') &&
      base.every((item) => isObject(item) && typeof item.name === 'string');
    if (!byName) return patch;
    const merged = base.map((item) => {
      const change = patch.find((p) => p.name === item.name);
      return change ? strategicMerge(item, change) : item;
    });
    return merged.concat(patch.filter((p) => !base.some((item) => item.name === p.name)));
  }
  if (isObject(base) && isObject(patch)) {
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(patch)) merged[key] = key in base ? strategicMerge(base[key], value) : value;
    return merged;
  }
  return patch;
}

function addLabels(object: K8sObject, pairs: Record<string, string>, includeTemplates: boolean): K8sObject {
  const result: K8sObject = { ...object, metadata: { ...object.metadata, labels: { ...object.metadata.labels, ...pairs } } };
  if (includeTemplates && POD_TEMPLATE_KINDS.has(object.kind)) {
    const template = result.spec.template;
    result.spec = {
      ...result.spec,
      template: { ...template, metadata: { ...template.metadata, labels: { ...template.metadata?.labels, ...pairs } } },
    };
  }
  return result;
}

function setImage(object: K8sObject, image: { name: string; newName?: string; newTag?: string }): K8sObject {
  if (!POD_TEMPLATE_KINDS.has(object.kind)) return object;
  const rewrite = (container: Record<string, any>) => {
    const [name] = String(container.image).split(':');
    if (name !== image.name) return container;
    return { ...container, image: `${image.newName ?? name}${image.newTag ? `:${image.newTag}` : ''}` };
  };
  const spec = object.spec.template.spec;
  return {
    ...object,
    spec: {
      ...object.spec,
      template: {
        ...object.spec.template,
        spec: {
          ...spec,
          containers: spec.containers.map(rewrite),
          ...(spec.initContainers ? { initContainers: spec.initContainers.map(rewrite) } : {}),
        },
      },
    },
  };
}

export function kustomizationDirectory(...parts: string[]): string {
  return join(__dirname, '..', '..', '..', 'deploy', 'k8s', ...parts);
}
