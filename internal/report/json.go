package report

import (
	"encoding/json"
	"io"

	"github.com/fsar-gate/fsar/internal/gate"
)

// JSON writes the result as versioned JSON (schema fsar.check/v1): the
// same bytes for the same result.
type JSON struct{}

// Format implements Formatter.
func (JSON) Format(w io.Writer, res *gate.Result) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}
