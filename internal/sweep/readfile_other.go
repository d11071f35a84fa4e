//go:build !(linux || darwin)

package sweep

import "github.com/fsar-gate/fsar/internal/proposal"

// readFile is proposal.ReadFile (see readfile_unix.go).
func readFile(path string, maxBytes int64) (*proposal.Report, error) {
	return proposal.ReadFile(path, maxBytes)
}
