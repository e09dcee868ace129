/**
 * A new release of one service, as CI would produce it: the project's Dockerfile over a copy
 * of the build context that carries one more migration, built with the cluster's podman
 * storage and imported into the node's containerd; and a throw-away overlay on top of the
 * test overlay that pins the new tag, as `kustomize edit set image` does in deploy.yml.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { overlay, repoRoot } from "./cluster.ts";

const CONTEXT = [
  "Dockerfile",
  "package.json",
  "bun.lock",
  "bunfig.toml",
  "tsconfig.json",
  "patches",
  "packages",
  "services",
  "tests/package.json",
  "scripts/compile-service.ts",
];

async function run(cmd: string[], what: string) {
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) throw new Error(`${what} exited ${code}: ${(err || out).trim().slice(-2000)}`);
  return out;
}

/** Builds `nudge-<service>:<tag>` with `migration` added to its migrations, into containerd. */
export async function buildRelease(service: string, tag: string, migration: { file: string; sql: string }) {
  const socket = process.env.NUDGE_CLUSTER_CONTAINERD_SOCK;
  if (!socket) throw new Error("NUDGE_CLUSTER_CONTAINERD_SOCK is not set: run through ./nudge cluster test");
  const context = mkdtempSync(join(tmpdir(), "nudge-release-"));
  try {
    for (const path of CONTEXT) {
      cpSync(join(repoRoot, path), join(context, path), {
        recursive: true,
        filter: (source) => !source.includes("/node_modules"),
      });
    }
    cpSync(join(repoRoot, ".dockerignore"), join(context, ".dockerignore"));
    writeFileSync(join(context, "services", service, "migrations", migration.file), migration.sql);
    const image = `docker.io/library/nudge-${service}:${tag}`;
    await run(
      [
        "podman",
        "build",
        "--quiet",
        "--pull=never",
        "--network=host",
        "--build-arg",
        `SERVICE=${service}`,
        "-t",
        image,
        context,
      ],
      "podman build",
    );
    const archive = join(context, "image.tar");
    await run(
      ["podman", "save", "--quiet", "--format", "docker-archive", "-o", archive, image],
      "podman save",
    );
    await run(["ctr", "--address", socket, "-n", "k8s.io", "images", "import", archive], "ctr images import");
    return image;
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/** A kustomization on top of the test overlay with the given image tags; removed by `remove`. */
export function pinnedOverlay(tags: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), "nudge-overlay-"));
  mkdirSync(dir, { recursive: true });
  const images = Object.entries(tags).map(
    ([service, tag]) => `  - name: nudge-${service}\n    newTag: ${tag}`,
  );
  writeFileSync(
    join(dir, "kustomization.yaml"),
    // kustomize takes relative resource paths only.
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ${relative(dir, join(repoRoot, overlay))}\nimages:\n${images.join("\n")}\n`,
  );
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
