/**
 * The Ingress of a serving track. For the ServingStack runtime it routes only the runtime's
 * inference and health routes (from the container contract in lib/core): admin routes — metrics,
 * feedback, multi-model load/unload — are not routed, so they are reachable in-cluster only (and
 * ask for the admin token there). The paths are ingress-nginx regular expressions
 * (`use-regex`), anchored at both ends; a custom container's routes are not known, so it gets
 * everything under `/`.
 */
import { Construct } from 'constructs';
import { RouteAccess, RuntimeContract } from '../../../lib/core/contract/container';
import { IngressV1, KubernetesProvider } from '../private/binding';
import type { IngressOptions } from '../model-server-options';

/** ingress-nginx: paths are regular expressions. */
export const USE_REGEX_ANNOTATION = 'nginx.ingress.kubernetes.io/use-regex';

/** One Ingress path. */
export interface IngressPath {
  readonly path: string;
  readonly pathType: string;
}

/** `/v2/models/:model/infer` → `/v2/models/[^/]+/infer$` (ingress-nginx prefixes `^`). */
function routeRegex(path: string): string {
  return `${path.replace(/[.+*?()|[\]{}\\^$]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+')}$`;
}

/** The paths a track's Ingress routes: the runtime's public routes, or everything for a custom container. */
export function ingressPaths(runtime: boolean): IngressPath[] {
  if (!runtime) return [{ path: '/', pathType: 'Prefix' }];
  const open = [...RuntimeContract.routesFor(RouteAccess.INFERENCE), ...RuntimeContract.routesFor(RouteAccess.HEALTH)];
  return [...new Set(open.map((r) => routeRegex(r.path)))].sort().map((path) => ({ path, pathType: 'ImplementationSpecific' }));
}

export interface ServingIngressProps {
  readonly provider: KubernetesProvider;
  readonly dependsOn: NonNullable<ConstructorParameters<typeof IngressV1>[2]['dependsOn']>;
  readonly name: string;
  readonly namespace: string;
  /** The Service the Ingress routes to. */
  readonly serviceName: string;
  readonly servicePort: number;
  /** Whether the track runs the ServingStack runtime (only its public routes are routed). */
  readonly runtime: boolean;
  readonly options: IngressOptions;
  /** Annotations on top of the options' (e.g. the canary weight). */
  readonly extraAnnotations: Readonly<Record<string, string>>;
  /** Default TLS Secret. */
  readonly defaultTlsSecretName: string;
}

/** Create the Ingress (TLS always on). */
export function createServingIngress(scope: Construct, id: string, p: ServingIngressProps): IngressV1 {
  const o = p.options;
  return new IngressV1(scope, id, {
    provider: p.provider,
    dependsOn: p.dependsOn,
    metadata: {
      name: p.name,
      namespace: p.namespace,
      labels: { 'app.kubernetes.io/name': p.serviceName, 'app.kubernetes.io/part-of': 'servingstack' },
      annotations: { ...o.annotations, ...(p.runtime ? { [USE_REGEX_ANNOTATION]: 'true' } : {}), ...p.extraAnnotations },
    },
    spec: {
      ingressClassName: o.className ?? 'nginx',
      tls: [{ hosts: [o.host], secretName: o.tlsSecretName ?? p.defaultTlsSecretName }],
      rule: [
        {
          host: o.host,
          http: { path: ingressPaths(p.runtime).map((x) => ({ ...x, backend: { service: { name: p.serviceName, port: { number: p.servicePort } } } })) },
        },
      ],
    },
  });
}
