// CoreDNS for the test cluster with only the plugins its Corefile uses. The upstream main
// links every plugin (cloud DNS providers and their SDKs); this one is upstream's main with
// a short import list, which is how CoreDNS documents building with a chosen plugin set.
// There is no forward plugin on purpose: names outside the cluster must not leave the machine.
package main

import (
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"

	"github.com/coredns/coredns/coremain"
)

func main() { coremain.Run() }
