// etcd for the test cluster: the upstream etcd server (go.etcd.io/etcd/server/v3 etcdmain),
// compiled inside the Kubernetes module so it shares the packages both use and the version
// the API server is tested against. The module's own replace directives make
// `go install go.etcd.io/etcd/server/v3@v` refuse, hence this one-line main.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
