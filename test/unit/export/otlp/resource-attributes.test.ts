import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseResourceAttributes, resolveResourceAttributes } from '../../../../agent/export/otlp/resource-attributes';

const defaults = { hostName: 'node-1', serviceVersion: '0.1.0' };

describe('resolveResourceAttributes', () => {
  it('defaults to service.name=plaintap, the version and the host name', () => {
    assert.deepEqual(resolveResourceAttributes({}, defaults, {}), {
      'service.name': 'plaintap',
      'service.version': '0.1.0',
      'host.name': 'node-1',
    });
  });

  it('adds the Kubernetes facts from the downward-API variables', () => {
    const attributes = resolveResourceAttributes({}, defaults, {
      K8S_NODE_NAME: 'worker-3',
      K8S_POD_NAME: 'plaintap-abcde',
      K8S_NAMESPACE_NAME: 'observability',
    });
    assert.equal(attributes['k8s.node.name'], 'worker-3');
    assert.equal(attributes['k8s.pod.name'], 'plaintap-abcde');
    assert.equal(attributes['k8s.namespace.name'], 'observability');
  });

  it('OTEL_RESOURCE_ATTRIBUTES beats defaults and K8S_*, OTEL_SERVICE_NAME beats it, options beat all', () => {
    const env = {
      K8S_POD_NAME: 'from-k8s-env',
      OTEL_RESOURCE_ATTRIBUTES:
        'service.name=from-attrs,k8s.pod.name=from-attrs,deployment.environment.name=prod%20eu,host.name=h2',
      OTEL_SERVICE_NAME: 'from-service-name',
    };
    const fromEnv = resolveResourceAttributes({}, defaults, env);
    assert.equal(fromEnv['service.name'], 'from-service-name');
    assert.equal(fromEnv['k8s.pod.name'], 'from-attrs');
    assert.equal(fromEnv['deployment.environment.name'], 'prod eu');
    assert.equal(fromEnv['host.name'], 'h2');

    const explicit = resolveResourceAttributes(
      {
        serviceName: 'opt',
        serviceVersion: '9',
        hostName: 'opt-host',
        attributes: { 'k8s.pod.name': 'opt-pod', 'team.id': 7 },
      },
      defaults,
      env,
    );
    assert.equal(explicit['service.name'], 'opt');
    assert.equal(explicit['service.version'], '9');
    assert.equal(explicit['host.name'], 'opt-host');
    assert.equal(explicit['k8s.pod.name'], 'opt-pod');
    assert.equal(explicit['team.id'], 7);
  });

  it('reports malformed OTEL_RESOURCE_ATTRIBUTES entries and keeps the good ones', () => {
    const warnings: string[] = [];
    assert.deepEqual(parseResourceAttributes('a=1,broken,=x,b=%zz, c = 3 ', warnings), { a: '1', b: '%zz', c: '3' });
    assert.equal(warnings.length, 3, warnings.join('\n'));
  });
});
