/** Prometheus text exposition of the few metrics the backend keeps in memory. */
export class MetricsRegistry {
  private readonly requests = new Map<string, number>();
  private readonly durationSum = new Map<string, number>();
  private dbUp = 0;
  private readonly startedAt = Date.now() / 1000;

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `method="${method}",route="${route}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const routeKey = `route="${route}"`;
    this.durationSum.set(routeKey, (this.durationSum.get(routeKey) ?? 0) + seconds);
  }

  setDbUp(up: boolean): void {
    this.dbUp = up ? 1 : 0;
  }

  render(): string {
    const out: string[] = [
      '# HELP korrigo_http_requests_total HTTP requests handled, by method, route and status.',
      '# TYPE korrigo_http_requests_total counter',
    ];
    for (const [labels, value] of this.requests) out.push(`korrigo_http_requests_total{${labels}} ${value}`);
    out.push(
      '# HELP korrigo_http_request_duration_seconds_sum Time spent handling requests, by route.',
      '# TYPE korrigo_http_request_duration_seconds_sum counter',
    );
    for (const [labels, value] of this.durationSum) {
      out.push(`korrigo_http_request_duration_seconds_sum{${labels}} ${value.toFixed(6)}`);
    }
    out.push(
      '# HELP korrigo_db_up 1 when the last database probe succeeded.',
      '# TYPE korrigo_db_up gauge',
      `korrigo_db_up ${this.dbUp}`,
      '# HELP process_start_time_seconds Start time of the process since the Unix epoch.',
      '# TYPE process_start_time_seconds gauge',
      `process_start_time_seconds ${this.startedAt.toFixed(3)}`,
    );
    return `${out.join('\n')}\n`;
  }
}
