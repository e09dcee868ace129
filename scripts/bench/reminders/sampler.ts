/**
 * CPU time and resident memory of a few processes, read from /proc once a second. CPU is the
 * process's utime + stime (all its threads); a share of 100 % is one core fully busy.
 */

/** Kernel clock ticks per second, the unit of utime/stime in /proc/<pid>/stat. */
const TICKS_PER_SECOND = Number(Bun.spawnSync(["getconf", "CLK_TCK"]).stdout.toString().trim()) || 100;

interface Sample {
  /** performance.now() when read. */
  at: number;
  cpuSeconds: number;
  rssKib: number;
}

export interface Target {
  label: string;
  /** null: the whole machine (busy time of all cores, so 200 % means two cores busy). */
  pid: number | null;
}

export interface Usage {
  label: string;
  pid: number | null;
  /** Average over the whole sampling, % of one core. */
  averageCpu: number;
  /** The busiest interval between two samples, % of one core. */
  peakCpu: number;
  maxRssKib: number | null;
  /** VmHWM at the end: the kernel's own high-water mark, between samples too. */
  peakRssKib: number | null;
  /** Average over [from, to] (performance.now() instants), % of one core. */
  averageBetween(from: number, to: number): number;
}

interface Reading {
  cpuSeconds: number;
  rssKib: number;
  hwmKib: number;
}

/** All cores' busy time from /proc/stat: every state but idle and iowait. */
async function readMachine(): Promise<Reading> {
  const [, ...states] = ((await Bun.file("/proc/stat").text()).split("\n")[0] ?? "").trim().split(/\s+/);
  const ticks = states.slice(0, 8).map(Number);
  const busy = ticks.reduce((sum, t) => sum + t, 0) - (ticks[3] ?? 0) - (ticks[4] ?? 0);
  return { cpuSeconds: busy / TICKS_PER_SECOND, rssKib: Number.NaN, hwmKib: Number.NaN };
}

async function readProc(pid: number | null): Promise<Reading | null> {
  if (pid === null) return readMachine();
  try {
    const stat = await Bun.file(`/proc/${pid}/stat`).text();
    const status = await Bun.file(`/proc/${pid}/status`).text();
    // The command name (field 2) may contain spaces; fields after it are plain. Field 3 (state)
    // comes first there, so utime (14) and stime (15) are at 11 and 12.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    return { cpuSeconds: ticks / TICKS_PER_SECOND, rssKib: kib("VmRSS"), hwmKib: kib("VmHWM") };
  } catch {
    return null; // the process has exited
  }
}

/** Percent of one core between two samples. */
const cpuPercent = (a: Sample, b: Sample) =>
  b.at > a.at ? ((b.cpuSeconds - a.cpuSeconds) / ((b.at - a.at) / 1000)) * 100 : NaN;

export interface Sampler {
  stop(): Promise<Usage[]>;
}

export function startSampler(targets: Target[], intervalMs = 1000): Sampler {
  const series = targets.map(() => [] as Sample[]);
  const hwm = targets.map(() => null as number | null);
  const sampleAll = async () => {
    const at = performance.now();
    const readings = await Promise.all(targets.map((target) => readProc(target.pid)));
    readings.forEach((reading, i) => {
      if (!reading) return;
      series[i]?.push({ at, cpuSeconds: reading.cpuSeconds, rssKib: reading.rssKib });
      hwm[i] = reading.hwmKib;
    });
  };
  let sampling = sampleAll();
  const timer = setInterval(() => {
    sampling = sampling.then(sampleAll);
  }, intervalMs);

  return {
    async stop() {
      clearInterval(timer);
      await sampling;
      await sampleAll();
      return targets.map((target, i) => {
        const samples = series[i] ?? [];
        const first = samples[0];
        const last = samples.at(-1);
        const shares = samples
          .slice(1)
          .map((sample, k) => cpuPercent(samples[k] as Sample, sample))
          .filter(Number.isFinite);
        return {
          ...target,
          averageCpu: first && last ? cpuPercent(first, last) : Number.NaN,
          peakCpu: shares.length ? Math.max(...shares) : Number.NaN,
          maxRssKib: target.pid !== null && samples.length ? Math.max(...samples.map((s) => s.rssKib)) : null,
          peakRssKib: target.pid !== null ? (hwm[i] ?? null) : null,
          averageBetween(from, to) {
            const within = samples.filter(
              (s) => s.at >= from - intervalMs / 2 && s.at <= to + intervalMs / 2,
            );
            const a = within[0];
            const b = within.at(-1);
            return a && b ? cpuPercent(a, b) : Number.NaN;
          },
        };
      });
    },
  };
}

/** Child processes of `parent` whose command name is `name` (e.g. the Dapr scheduler this run started). */
export async function childrenNamed(parent: number, name: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of new Bun.Glob("[0-9]*").scanSync({ cwd: "/proc", onlyFiles: false })) {
    const stat = await Bun.file(`/proc/${entry}/stat`)
      .text()
      .catch(() => "");
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (comm === name && ppid === parent) found.push(Number(entry));
  }
  return found;
}
