package proposal

import (
	"bytes"
	"errors"
	"unicode/utf8"
)

// DefaultMaxBytes is the largest file the readers accept unless told
// otherwise: 10 MiB.
const DefaultMaxBytes = 10 << 20

// DefaultMaxItems is the most risks, and the most mitigations, a report
// may list unless told otherwise.
const DefaultMaxItems = 10_000

// Limits bound what the readers accept, so that a hostile file costs a
// bounded time and memory to read and to judge; the zero value is the
// defaults. A YAML document's aliases may not expand it past MaxBytes
// either.
type Limits struct {
	// MaxBytes is the largest file: DefaultMaxBytes when 0.
	MaxBytes int64
	// MaxItems is the most risks, and the most mitigations, a report may
	// list: DefaultMaxItems when 0.
	MaxItems int
}

func (l Limits) bytes() int64 {
	if l.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return l.MaxBytes
}

func (l Limits) items() int {
	if l.MaxItems <= 0 {
		return DefaultMaxItems
	}
	return l.MaxItems
}

// errLimit is wrapped by the errors for input past a limit: they end the
// reading at once, whatever the document turns out to be.
var errLimit = errors.New("past a limit")

// tooManyItems is the error for the item of list f past the limit.
func tooManyItems(file string, at Pos, f Field, lim Limits) error {
	e := errAt(file, at, "%s: more than %d items: expected a short list (raise the limit with --max-items)", f, lim.items())
	e.Err = errLimit
	return e
}

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
