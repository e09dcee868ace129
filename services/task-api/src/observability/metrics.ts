/** A minimal Prometheus text-format registry: the few counters and histograms we expose. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

type Labels = Record<string, string>;
const labelText = (labels: Labels) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, "_")}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
};

export class Metrics {
  private counters = new Map<string, { help: string; values: Map<string, number> }>();
  private histograms = new Map<
    string,
    { help: string; series: Map<string, { labels: Labels; counts: number[]; sum: number; n: number }> }
  >();

  inc(name: string, help: string, labels: Labels = {}, by = 1) {
    const counter = this.counters.get(name) ?? { help, values: new Map() };
    this.counters.set(name, counter);
    const key = labelText(labels);
    counter.values.set(key, (counter.values.get(key) ?? 0) + by);
  }

  observe(name: string, help: string, labels: Labels, seconds: number) {
    const histogram = this.histograms.get(name) ?? { help, series: new Map() };
    this.histograms.set(name, histogram);
    const key = labelText(labels);
    const series = histogram.series.get(key) ?? { labels, counts: BUCKETS.map(() => 0), sum: 0, n: 0 };
    histogram.series.set(key, series);
    BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) series.counts[i] = (series.counts[i] ?? 0) + 1;
    });
    series.sum += seconds;
    series.n += 1;
  }

  /** Prometheus exposition text; `gauges` are sampled by the caller at scrape time. */
  render(gauges: Array<{ name: string; help: string; value: number }> = []): string {
    const lines: string[] = [];
    for (const [name, { help, values }] of this.counters) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [labels, value] of values) lines.push(`${name}${labels} ${value}`);
    }
    for (const [name, { help, series }] of this.histograms) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
      for (const { labels, counts, sum, n } of series.values()) {
        BUCKETS.forEach((bound, i) => {
          lines.push(`${name}_bucket${labelText({ ...labels, le: String(bound) })} ${counts[i]}`);
        });
        lines.push(`${name}_bucket${labelText({ ...labels, le: "+Inf" })} ${n}`);
        lines.push(`${name}_sum${labelText(labels)} ${sum}`, `${name}_count${labelText(labels)} ${n}`);
      }
    }
    for (const { name, help, value } of gauges)
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${value}`);
    return `${lines.join("\n")}\n`;
  }
}
