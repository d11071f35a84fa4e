# Builds fsar with its version and commit stamped in, as a release does.
# Plain `go build` and `go run ./cmd/fsar` work too: they report version
# "dev" and the checkout's commit (from Go's VCS stamping), `go install
# github.com/fsar-gate/fsar/cmd/fsar@vX.Y.Z` reports vX.Y.Z.
VERSION ?= $(shell git describe --tags --exact-match --match 'v[0-9]*' 2>/dev/null || echo dev)
COMMIT  ?= $(shell c=$$(git rev-parse HEAD 2>/dev/null) && { git diff --quiet HEAD 2>/dev/null && echo $$c || echo $$c-dirty; })
LDFLAGS := -s -w -X github.com/fsar-gate/fsar/internal/buildinfo.Version=$(VERSION) -X github.com/fsar-gate/fsar/internal/buildinfo.Commit=$(COMMIT)

.PHONY: build install test lint bench snapshot
build:
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o fsar ./cmd/fsar
install:
	CGO_ENABLED=0 go install -trimpath -ldflags '$(LDFLAGS)' ./cmd/fsar
test:
	go test -race ./...
lint:
	.ci/lint
bench:
	.ci/bench
snapshot:
	.ci/release
