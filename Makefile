# Builds fsar with its version and commit stamped in. Plain `go build` and
# `go run ./cmd/fsar` work too; they report version "dev".
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X github.com/fsar-gate/fsar/internal/buildinfo.Version=$(VERSION) -X github.com/fsar-gate/fsar/internal/buildinfo.Commit=$(COMMIT)

.PHONY: build install test lint bench
build:
	go build -trimpath -ldflags '$(LDFLAGS)' -o fsar ./cmd/fsar
install:
	go install -trimpath -ldflags '$(LDFLAGS)' ./cmd/fsar
test:
	go test -race ./...
lint:
	.ci/lint
bench:
	.ci/bench
