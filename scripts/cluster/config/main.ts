// bun scripts/cluster/config/main.ts FILE [USER] — one of the test cluster node's configuration
// files on stdout, from the settings scripts/cluster/node.sh passes (node_config).
import { loadOrExit } from "../../../packages/service/src/env.ts";
import { cniConfig, containerdConfig } from "./containerd.ts";
import { kubeconfig, kubeletConfig, kubeProxyConfig } from "./kubernetes.ts";
import { type NodeSettings, nodeSettings } from "./settings.ts";

/** Every file the node is configured with, by the name node.sh asks for it. */
export const nodeFiles: Record<string, (s: NodeSettings, user: string) => string> = {
  kubeconfig,
  kubelet: kubeletConfig,
  "kube-proxy": kubeProxyConfig,
  containerd: containerdConfig,
  cni: cniConfig,
};

/** The users with a client certificate (scripts/cluster/pki.sh) and so a kubeconfig. */
const KUBECONFIG_USERS = ["admin", "kubelet"];

if (import.meta.main) {
  const [file = "", user = ""] = process.argv.slice(2);
  const write = nodeFiles[file];
  const wrongUser = file === "kubeconfig" ? !KUBECONFIG_USERS.includes(user) : user !== "";
  if (!write || wrongUser) {
    console.error(
      `usage: main.ts ${Object.keys(nodeFiles).join("|")} (kubeconfig takes ${KUBECONFIG_USERS.join("|")})`,
    );
    process.exit(2);
  }
  process.stdout.write(
    write(
      loadOrExit("cluster node configuration", () => nodeSettings(process.env)),
      user,
    ),
  );
}
