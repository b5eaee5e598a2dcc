import type { ComposeService } from '../drivers/compose/compose-model.js';

/** Names (or images, or commands) of a proxy or a data store: never the service holding the app's code. */
const NOT_THE_APP = /\b(?:nginx|traefik|caddy|haproxy|envoy|httpd|apache2?|varnish|redis|valkey|memcached|postgres(?:ql)?|mysql|mariadb|mongo(?:db)?|rabbitmq|kafka|zookeeper|elasticsearch|opensearch|minio|mailhog|mailpit)\b/i;

/**
 * The service whose code the gate should migrate, seed and test: one built from the project
 * (`build:`), with a healthcheck of its own, that is not a proxy or a data store. Issue 25:
 * the TODO examples named the alphabetically first service, an nginx.
 */
export function appService(services: Record<string, ComposeService>): string | undefined {
  const score = (name: string, svc: ComposeService): number => {
    const command = Array.isArray(svc.command) ? svc.command.join(' ') : (svc.command ?? '');
    const infra = NOT_THE_APP.test(name) || NOT_THE_APP.test(svc.image ?? '') || NOT_THE_APP.test(command);
    return (svc.build !== undefined ? 2 : 0) + (svc.healthcheck?.test !== undefined && !svc.healthcheck.disable ? 1 : 0) - (infra ? 4 : 0);
  };
  const ranked = Object.entries(services)
    .map(([name, svc]) => ({ name, score: score(name, svc) }))
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
  return ranked[0]?.name;
}
