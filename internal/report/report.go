// Package report writes check results in the formats people and tools
// read. Each format is one Formatter; none of them changes the result.
package report

import (
	"fmt"
	"io"
	"sort"

	"github.com/fsar-gate/fsar/internal/gate"
)

// Formatter writes a check result.
type Formatter interface {
	Format(w io.Writer, res *gate.Result) error
}

// Options tune how formatters write.
type Options struct {
	// Color allows ANSI colour (text only, and only on a terminal).
	Color bool
}

// Names lists the formats New knows, sorted.
func Names() []string {
	names := make([]string, 0, len(formatters))
	for n := range formatters {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

var formatters = map[string]func(Options) Formatter{
	"text": func(o Options) Formatter { return &Text{Color: o.Color} },
	"json": func(Options) Formatter { return JSON{} },
}

// New returns the formatter named name.
func New(name string, opts Options) (Formatter, error) {
	f, ok := formatters[name]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (want one of %v)", name, Names())
	}
	return f(opts), nil
}
