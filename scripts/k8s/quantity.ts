/** Kubernetes resource quantities → numbers: CPU in millicores, memory in MiB. */
export function cpuMillis(quantity: string | number | undefined): number {
  if (quantity === undefined) return 0;
  const text = String(quantity);
  if (text.endsWith("m")) return Number(text.slice(0, -1));
  const cores = Number(text);
  if (Number.isNaN(cores)) throw new Error(`not a CPU quantity: ${text}`);
  return cores * 1000;
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

export function memoryMiB(quantity: string | number | undefined): number {
  if (quantity === undefined) return 0;
  const match = String(quantity).match(/^(\d+(?:\.\d+)?)([KMGT]i|[kMGT])?$/);
  if (!match?.[1]) throw new Error(`not a memory quantity: ${quantity}`);
  const unit = match[2] ? (BINARY[match[2]] ?? DECIMAL[match[2]] ?? 1) : 1;
  return (Number(match[1]) * unit) / 2 ** 20;
}
