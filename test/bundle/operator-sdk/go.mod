// operator-sdk, built from the Go module proxy by test/bundle/build.sh to validate bundle/.
// Its own replace directives are repeated here: a dependency's replaces do not apply.
module koji-operator.test/operator-sdk

go 1.24.0

require github.com/operator-framework/operator-sdk v1.33.0

replace (
	github.com/containerd/containerd => github.com/containerd/containerd v1.4.11
	github.com/docker/distribution => github.com/docker/distribution v0.0.0-20191216044856-a8371794149d
	github.com/mattn/go-sqlite3 => github.com/mattn/go-sqlite3 v1.10.0
	k8s.io/kube-openapi => k8s.io/kube-openapi v0.0.0-20230515121852-a1ae96baeb76
	sigs.k8s.io/kubebuilder/v3 => sigs.k8s.io/kubebuilder/v3 v3.11.1
)

// operator-sdk's golang.org/x/tools (v0.13) does not compile with current Go: its
// tokeninternal asserts the size of go/token.FileSet, which later Go changed.
require golang.org/x/tools v0.38.0
