// Validates Kubernetes objects (a JSON array on stdin) against the Kubernetes OpenAPI schemas
// bundled in kubernetes-models, offline. Prints a JSON array of { kind, name, errors }.
// A separate Node process because kubernetes-models is ES-module only, which Jest's module loader
// cannot load before Node 24.9; Node itself can.
const MODULES = {
  v1: 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'batch/v1': 'kubernetes-models/batch/v1',
  'policy/v1': 'kubernetes-models/policy/v1',
  'autoscaling/v2': 'kubernetes-models/autoscaling/v2',
  'networking.k8s.io/v1': 'kubernetes-models/networking.k8s.io/v1',
  'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
  'keda.sh/v1alpha1': '@kubernetes-models/keda/keda.sh/v1alpha1',
};

let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const object of JSON.parse(input)) {
  const name = object?.metadata?.name;
  const path = MODULES[object.apiVersion];
  if (!path) {
    results.push({ kind: object.kind, name, errors: [`no schema for apiVersion ${object.apiVersion}`] });
    continue;
  }
  const Model = (await import(path))[object.kind];
  if (!Model) {
    results.push({ kind: object.kind, name, errors: [`no schema for ${object.apiVersion} ${object.kind}`] });
    continue;
  }
  try {
    new Model(object).validate();
    results.push({ kind: object.kind, name, errors: [] });
  } catch (error) {
    const details = Array.isArray(error.errors) ? error.errors.map((e) => `${e.instancePath} ${e.message}`) : [String(error.message)];
    results.push({ kind: object.kind, name, errors: details });
  }
}
process.stdout.write(JSON.stringify(results));
