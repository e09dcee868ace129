import { ConfigError } from "../../../packages/service/src/env.ts";

// A value spliced into TOML or JSON between quotes must not end the string or the line.
const PATH = /^\/[^"\n\\]*$/;
const WORD = /^[a-z0-9][a-z0-9.-]*$/;
const IP = /^\d{1,3}(\.\d{1,3}){3}$/;
const CIDR = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;
const IMAGE = /^[a-z0-9./-]+:[A-Za-z0-9._-]+$/;
const PORT = /^[1-9]\d{0,4}$/;

/** The variables of scripts/cluster/versions.sh (and images.sh) the node's files are made of. */
const NODE_ENV = {
  CLUSTER_STATE: PATH,
  CONTAINERD_ROOT: PATH,
  CONTAINERD_SOCK: PATH,
  KUBECONFIG_ADMIN: PATH,
  PAUSE_IMAGE: IMAGE,
  CLUSTER_BRIDGE: WORD,
  CLUSTER_POD_CIDR: CIDR,
  CLUSTER_NODE_POD_CIDR: CIDR,
  CLUSTER_NODE_IP: IP,
  CLUSTER_DNS_IP: IP,
  CLUSTER_NODE_NAME: WORD,
  CLUSTER_DOMAIN: WORD,
  APISERVER_PORT: PORT,
  KUBELET_PORT: PORT,
  KUBELET_HEALTHZ_PORT: PORT,
  KUBE_PROXY_HEALTHZ_PORT: PORT,
  KUBE_PROXY_METRICS_PORT: PORT,
} as const;

/** The test cluster's single node: where it keeps one life's state, its addresses and ports. */
export interface NodeSettings {
  /** Certificates, configuration, sockets and data of one `cluster up` (recreated by each). */
  state: string;
  /** The admin's kubeconfig, which kube-proxy uses too. */
  adminKubeconfig: string;
  node: { name: string; ip: string; bridge: string; podCidr: string };
  network: { podCidr: string; dnsIp: string; domain: string };
  containerd: { root: string; socket: string; pauseImage: string };
  ports: {
    apiserver: number;
    kubelet: number;
    kubeletHealthz: number;
    kubeProxyHealthz: number;
    kubeProxyMetrics: number;
  };
}

type NodeEnvName = keyof typeof NODE_ENV;

function readNodeEnv(env: Record<string, string | undefined>): Record<NodeEnvName, string> {
  const problems: string[] = [];
  for (const [name, pattern] of Object.entries(NODE_ENV)) {
    const value = env[name] ?? "";
    if (value === "") problems.push(`${name}: missing`);
    else if (!pattern.test(value) || (pattern === PORT && Number(value) > 65535)) {
      problems.push(`${name}: not valid here: ${JSON.stringify(value)}`);
    }
  }
  if (problems.length) throw new ConfigError(`invalid configuration:\n  ${problems.join("\n  ")}`);
  return env as Record<NodeEnvName, string>;
}

/** Reads the settings the shell passes (node_config_env in scripts/cluster/node.sh), once. */
export function nodeSettings(env: Record<string, string | undefined>): NodeSettings {
  const e = readNodeEnv(env);
  return {
    state: e.CLUSTER_STATE,
    adminKubeconfig: e.KUBECONFIG_ADMIN,
    node: {
      name: e.CLUSTER_NODE_NAME,
      ip: e.CLUSTER_NODE_IP,
      bridge: e.CLUSTER_BRIDGE,
      podCidr: e.CLUSTER_NODE_POD_CIDR,
    },
    network: {
      podCidr: e.CLUSTER_POD_CIDR,
      dnsIp: e.CLUSTER_DNS_IP,
      domain: e.CLUSTER_DOMAIN,
    },
    containerd: { root: e.CONTAINERD_ROOT, socket: e.CONTAINERD_SOCK, pauseImage: e.PAUSE_IMAGE },
    ports: {
      apiserver: Number(e.APISERVER_PORT),
      kubelet: Number(e.KUBELET_PORT),
      kubeletHealthz: Number(e.KUBELET_HEALTHZ_PORT),
      kubeProxyHealthz: Number(e.KUBE_PROXY_HEALTHZ_PORT),
      kubeProxyMetrics: Number(e.KUBE_PROXY_METRICS_PORT),
    },
  };
}
