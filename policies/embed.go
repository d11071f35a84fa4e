// Package policies holds the default fsar policy bundle, compiled into the binary.
package policies

import "embed"

// FS holds the default bundle: the Rego modules, their tests, and this folder's README.
//
//go:embed README.md fsar
var FS embed.FS
