//go:build !(linux || darwin)

package proposal

// ReadFile reads the report in the file at path, within lim.
func ReadFile(path string, lim Limits) (*Report, error) {
	return readFileSlow(path, lim)
}
