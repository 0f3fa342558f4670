// etcd's own module replaces its sibling modules with local paths; building its
// entry point from this wrapper module avoids that.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
