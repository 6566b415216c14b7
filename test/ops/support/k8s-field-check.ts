import { join } from 'node:path';
import ts from 'typescript';
import type { K8sObject } from './kustomize';

/**
 * The schemas kubernetes-models validates against allow unknown fields (as the API server's
 * non-strict decoding does), so a misspelt `readinesProbe` would pass and be silently dropped.
 * This check type-checks each object as an object literal against kubernetes-models' TypeScript
 * interfaces, whose excess-property check rejects any field Kubernetes does not define.
 */
const MODULES: Record<string, string> = {
  v1: 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'batch/v1': 'kubernetes-models/batch/v1',
  'policy/v1': 'kubernetes-models/policy/v1',
  'autoscaling/v2': 'kubernetes-models/autoscaling/v2',
  'networking.k8s.io/v1': 'kubernetes-models/networking.k8s.io/v1',
  'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
  'keda.sh/v1alpha1': '@kubernetes-models/keda/keda.sh/v1alpha1',
};

export function unknownFieldErrors(objects: K8sObject[]): string[] {
  const file = join(__dirname, '__k8s_field_check__.ts');
  const lines: string[] = [];
  objects.forEach((object, index) => {
    const module = MODULES[object.apiVersion];
    if (!module) throw new Error(`no types for apiVersion ${object.apiVersion}`);
    lines.push(`import type { I${object.kind} as T${index} } from '${module}/${object.kind}';`);
  });
  const firstObjectLine = lines.length;
  objects.forEach((object, index) => lines.push(`export const o${index}: T${index} = ${JSON.stringify(object)};`));
  const source = lines.join('\n');

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === file ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (diagnostic.file?.fileName !== file || diagnostic.start === undefined) return text;
    const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line;
    const object = objects[line - firstObjectLine];
    return object ? `${object.kind}/${object.metadata.name}: ${text}` : text;
  });
}
