package report

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
)

// JSON writes the result as versioned JSON (schema fsar.check/v1): the
// same bytes for the same result.
type JSON struct{}

// Format implements Formatter.
func (JSON) Format(w io.Writer, res *gate.Result) error {
	b, err := marshalJSON(canonical(res))
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// marshalJSON encodes v indented, without HTML escaping, and with the
// GitHub Actions runner's legacy command marker "##[" written as
// "##\u005b" inside strings (the only place it can occur): the same value
// to a JSON reader, inert in an Actions log.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return escape.JSONLog(buf.Bytes()), nil
}
