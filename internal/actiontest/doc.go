// Package actiontest tests the GitHub Action's shell scripts
// (.github/action/*.sh) by running them with bash, as the runner does,
// against release assets served on the loopback address. It holds tests
// only.
//
// By default the tests build fsar and pack it as GoReleaser does; with
// FSAR_DIST set to a GoReleaser dist folder (.ci/release sets it after
// `goreleaser release --snapshot`), they serve that snapshot's archive and
// checksums.txt instead.
package actiontest
