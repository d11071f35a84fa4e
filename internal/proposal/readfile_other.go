//go:build !(linux || darwin)

package proposal

// ReadFile reads the report in the file at path, refusing files larger
// than maxBytes (DefaultMaxBytes when 0).
func ReadFile(path string, maxBytes int64) (*Report, error) {
	return readFileSlow(path, maxBytes)
}
