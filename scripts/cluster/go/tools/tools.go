//go:build tools

// Keeps helm.sh/helm/v3 in the Kubernetes module's go.mod through `go mod tidy`, at the
// version go get pinned, so the one go build resolves cmd/helm offline.
package tools

import _ "helm.sh/helm/v3/cmd/helm"
