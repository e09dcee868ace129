import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { cniConfig, containerdConfig } from "./containerd.ts";
import { kubeconfig, kubeletConfig, kubeProxyConfig } from "./kubernetes.ts";
import { type NodeSettings, nodeSettings } from "./settings.ts";

/**
 * The fixtures are the files scripts/cluster/pki.sh and node.sh wrote with their heredocs, before
 * those moved here, for a cache in /nudge/.cache: the node must get the same bytes as before.
 */
const root = join(import.meta.dir, "..", "..", "..");
const FIXTURE_CACHE = "/nudge/.cache";
const fixture = (name: string) => readFileSync(join(import.meta.dir, "fixtures", name), "utf8");
const scratch = mkdtempSync(join(tmpdir(), "nudge-node-config-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `script` in bash with the cluster's shell sourced as ./nudge does, for a cache in `cache`. */
function clusterShell(cache: string, script: string): string {
  const run = Bun.spawnSync(
    [
      "bash",
      "-c",
      `set -euo pipefail
      NUDGE_ROOT=${root} NUDGE_CACHE=${cache} LOG_DIR=${cache}/logs DAPR_VERSION=test KAFKA_VERSION=test
      for f in versions images pki node; do source "$NUDGE_ROOT/scripts/cluster/$f.sh"; done
      step() { :; }; start_daemon() { :; }; die() { echo "$*" >&2; exit 1; }
      ${script}`,
    ],
    // The bun running this test is the one node.sh finds.
    { env: { ...Bun.env, PATH: `${dirname(process.execPath)}:${Bun.env.PATH}` } },
  );
  if (run.exitCode !== 0) throw new Error(`cluster shell failed: ${run.stderr.toString()}`);
  return run.stdout.toString();
}

/** The settings node.sh passes for a cache in `cache` (its KEY=VALUE lines). */
function shellEnv(cache: string): Record<string, string> {
  const lines = clusterShell(cache, "node_config_env").trim().split("\n");
  return Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

const FILES: [fixture: string, generate: (s: NodeSettings) => string, written: string][] = [
  ["admin.kubeconfig", (s) => kubeconfig(s, "admin"), "pki/admin.kubeconfig"],
  ["kubelet.kubeconfig", (s) => kubeconfig(s, "kubelet"), "pki/kubelet.kubeconfig"],
  ["config.toml", containerdConfig, "containerd/config.toml"],
  ["10-nudge.conflist", cniConfig, "cni/conf/10-nudge.conflist"],
  ["kubelet-config.yaml", kubeletConfig, "kubelet-config.yaml"],
  ["kube-proxy-config.yaml", kubeProxyConfig, "kube-proxy-config.yaml"],
];

describe("the test cluster node's configuration files", () => {
  test.each(FILES)("%s is byte for byte what the shell wrote for the same settings", (name, generate) => {
    expect(generate(nodeSettings(shellEnv(FIXTURE_CACHE)))).toBe(fixture(name));
  });

  test("node.sh writes each of them into the cluster's state folder as before", () => {
    const cache = join(scratch, "cache");
    clusterShell(
      cache,
      `mkdir -p "$CLUSTER_STATE/pki"
      pki_kubeconfig admin; pki_kubeconfig kubelet
      write_containerd_config; start_kubelet; start_kube_proxy`,
    );
    for (const [name, , written] of FILES) {
      const file = readFileSync(join(cache, "cluster", "state", written), "utf8");
      expect(file.replaceAll(cache, FIXTURE_CACHE)).toBe(fixture(name));
    }
  });

  test("a setting that would end a quoted TOML or JSON string is refused, naming its variable", () => {
    const env = shellEnv(FIXTURE_CACHE);
    expect(() => nodeSettings({ ...env, CONTAINERD_ROOT: '/cache/"x' })).toThrow(
      'CONTAINERD_ROOT: not valid here: "/cache/\\"x"',
    );
    expect(() => nodeSettings({ ...env, KUBELET_PORT: "70000", CLUSTER_NODE_IP: undefined })).toThrow(
      'CLUSTER_NODE_IP: missing\n  KUBELET_PORT: not valid here: "70000"',
    );
  });

  test("asked for a file it does not know, or a kubeconfig for a user without a certificate, it exits 2", () => {
    for (const args of [["kubeadm"], ["kubeconfig", "root"], ["kubelet", "admin"]]) {
      const run = Bun.spawnSync([process.execPath, join(import.meta.dir, "main.ts"), ...args], {
        stderr: "pipe",
      });
      expect(run.exitCode).toBe(2);
      expect(run.stderr.toString()).toContain("usage: main.ts kubeconfig|kubelet|kube-proxy|containerd|cni");
    }
  });
});
