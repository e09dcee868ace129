/**
 * CPU time and resident memory of a few processes, read from /proc once a second. CPU is the
 * process's utime + stime (all its threads); a share of 100 % is one core fully busy. A `tree`
 * target (PostgreSQL: a postmaster and its backends) counts every descendant too, and the time
 * of descendants that have exited (the parent's cutime + cstime), so short-lived backends are
 * not lost; its memory is the sum of proportional set sizes (shared buffers counted once).
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
  /** Count the process's descendants too. */
  tree?: boolean;
  /** Left out of the system's total (the load generator, the provider stand-in, the machine). */
  outside?: boolean;
}

export interface Usage {
  label: string;
  pid: number | null;
  outside: boolean;
  /** Average over the whole sampling, % of one core. */
  averageCpu: number;
  /** The busiest interval between two samples, % of one core. */
  peakCpu: number;
  maxRssKib: number | null;
  /** VmHWM at the end: the kernel's own high-water mark, between samples too (not for trees). */
  peakRssKib: number | null;
  /** Average over [from, to] (performance.now() instants), % of one core. */
  averageBetween(from: number, to: number): number;
  /** CPU seconds used within [from, to] (the samples nearest the bounds). */
  cpuSecondsBetween(from: number, to: number): number;
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

interface Stat {
  ppid: number;
  /** utime + stime, seconds. */
  own: number;
  /** cutime + cstime: reaped children, seconds. */
  reaped: number;
}

async function readStat(pid: number): Promise<Stat | null> {
  try {
    const stat = await Bun.file(`/proc/${pid}/stat`).text();
    // The command name (field 2) may contain spaces; fields after it are plain. Field 3 (state)
    // comes first there, so ppid (4) is at 1, utime..cstime (14..17) at 11..14.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = (i: number) => Number(fields[i]);
    return {
      ppid: ticks(1),
      own: (ticks(11) + ticks(12)) / TICKS_PER_SECOND,
      reaped: (ticks(13) + ticks(14)) / TICKS_PER_SECOND,
    };
  } catch {
    return null; // the process has exited
  }
}

const kibIn = (text: string, name: string) =>
  Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? Number.NaN);

async function descendants(root: number): Promise<number[]> {
  const parentOf = new Map<number, number>();
  for (const entry of new Bun.Glob("[0-9]*").scanSync({ cwd: "/proc", onlyFiles: false })) {
    const stat = await readStat(Number(entry));
    if (stat) parentOf.set(Number(entry), stat.ppid);
  }
  const found: number[] = [];
  let frontier = [root];
  while (frontier.length) {
    const next = [...parentOf].filter(([, ppid]) => frontier.includes(ppid)).map(([pid]) => pid);
    found.push(...next);
    frontier = next;
  }
  return found;
}

async function readTree(root: number): Promise<Reading | null> {
  const top = await readStat(root);
  if (!top) return null;
  let cpuSeconds = top.own + top.reaped;
  let pssKib = 0;
  for (const pid of [root, ...(await descendants(root))]) {
    if (pid !== root) {
      const stat = await readStat(pid);
      if (stat) cpuSeconds += stat.own + stat.reaped;
    }
    const rollup = await Bun.file(`/proc/${pid}/smaps_rollup`)
      .text()
      .catch(() => "");
    pssKib += kibIn(rollup, "Pss") || 0;
  }
  return { cpuSeconds, rssKib: pssKib, hwmKib: Number.NaN };
}

async function readProc(target: Target): Promise<Reading | null> {
  if (target.pid === null) return readMachine();
  if (target.tree) return readTree(target.pid);
  const stat = await readStat(target.pid);
  if (!stat) return null;
  const status = await Bun.file(`/proc/${target.pid}/status`)
    .text()
    .catch(() => "");
  return { cpuSeconds: stat.own, rssKib: kibIn(status, "VmRSS"), hwmKib: kibIn(status, "VmHWM") };
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
    const readings = await Promise.all(targets.map((target) => readProc(target)));
    readings.forEach((reading, i) => {
      if (!reading) return;
      series[i]?.push({ at, cpuSeconds: reading.cpuSeconds, rssKib: reading.rssKib });
      hwm[i] = Number.isFinite(reading.hwmKib) ? reading.hwmKib : null;
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
        const within = (from: number, to: number) =>
          samples.filter((s) => s.at >= from - intervalMs / 2 && s.at <= to + intervalMs / 2);
        return {
          label: target.label,
          pid: target.pid,
          outside: target.outside ?? target.pid === null,
          averageCpu: first && last ? cpuPercent(first, last) : Number.NaN,
          peakCpu: shares.length ? Math.max(...shares) : Number.NaN,
          maxRssKib: target.pid !== null && samples.length ? Math.max(...samples.map((s) => s.rssKib)) : null,
          peakRssKib: target.pid !== null ? (hwm[i] ?? null) : null,
          averageBetween(from, to) {
            const w = within(from, to);
            const a = w[0];
            const b = w.at(-1);
            return a && b ? cpuPercent(a, b) : Number.NaN;
          },
          cpuSecondsBetween(from, to) {
            const w = within(from, to);
            const a = w[0];
            const b = w.at(-1);
            return a && b ? b.cpuSeconds - a.cpuSeconds : Number.NaN;
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

/** The postmaster serving `sql`: the parent of this connection's backend. */
export async function postmasterPid(backendPid: number): Promise<number | null> {
  return (await readStat(backendPid))?.ppid ?? null;
}
