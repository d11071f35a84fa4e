package proposal

import (
	"bytes"
	"unicode/utf8"
)

// DefaultMaxBytes is the largest file the readers accept unless told
// otherwise: 10 MiB.
const DefaultMaxBytes = 10 << 20

const bom = "\uFEFF"

// checkText rejects what no report form may hold: a NUL byte and invalid
// UTF-8. It returns data without a leading byte order mark.
func checkText(file string, data []byte) ([]byte, error) {
	data = bytes.TrimPrefix(data, []byte(bom))
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, errAt(file, offsetPos(data, i), "NUL byte: a report is text, not binary")
	}
	if !utf8.Valid(data) {
		for i := 0; i < len(data); {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				return nil, errAt(file, offsetPos(data, i), "invalid UTF-8 (byte 0x%02x): a report must be UTF-8 text", data[i])
			}
			i += n
		}
	}
	return data, nil
}

// offsetPos converts a byte offset in data into a line and a column counted
// in characters.
func offsetPos(data []byte, off int) Pos {
	if off > len(data) {
		off = len(data)
	}
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	return Pos{Line: line, Column: 1 + utf8.RuneCount(data[start:off])}
}
