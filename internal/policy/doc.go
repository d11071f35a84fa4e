package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/fsar-gate/fsar/internal/escape"
)

// RuleDoc is one rule as `fsar policy doc --format json` prints it.
type RuleDoc struct {
	ID          string `json:"id"`
	Level       string `json:"level"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Remediation string `json:"remediation,omitempty"`
	Share       string `json:"share,omitempty"`
	Package     string `json:"package"`
	File        string `json:"file"`
	Line        int    `json:"line"`
}

// Docs describes the rules: deny first, then review and warn, each by id.
func Docs(rules []Rule) []RuleDoc {
	rules = slices.Clone(rules)
	slices.SortStableFunc(rules, func(a, b Rule) int {
		if a.Level != b.Level {
			return int(b.Level) - int(a.Level)
		}
		return strings.Compare(a.ID, b.ID)
	})
	docs := make([]RuleDoc, len(rules))
	for i, r := range rules {
		docs[i] = RuleDoc{ID: r.ID, Level: r.Level.String(), Title: r.Title, Description: r.Description,
			Remediation: r.Remediation, Share: r.Share, Package: r.Package, File: r.File, Line: r.Line}
	}
	return docs
}

// DocFormats are the formats WriteDocs writes.
var DocFormats = []string{"text", "markdown", "json"}

// WriteDocs writes the rules' documentation as text (a table, then each
// remediation), a markdown table, or JSON. Texts from METADATA are
// escaped for where they are written.
func WriteDocs(w io.Writer, format string, docs []RuleDoc) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(docs)
	case "markdown":
		fmt.Fprintln(w, "| Rule | Level | Title | Remediation |")
		fmt.Fprintln(w, "|------|-------|-------|-------------|")
		for _, d := range docs {
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", escape.Code(d.ID, 0, true), d.Level, escape.Markdown(d.Title, 0), escape.Markdown(d.Remediation, 0))
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tLEVEL\tTITLE")
	for _, d := range docs {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", escape.Terminal(d.ID), d.Level, escape.Terminal(d.Title))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, d := range docs {
		if d.Remediation != "" {
			fmt.Fprintf(w, "\n%s (%s:%d)\n  %s\n", escape.Terminal(d.ID), escape.Terminal(d.File), d.Line, escape.Terminal(d.Remediation))
		}
	}
	return nil
}

// FormatFiles formats every .rego file under paths (files or folders;
// hidden folders skipped), in place unless check, and returns the files
// that were not formatted, sorted. A file that does not parse is reported
// to bad and left as it is; failed tells whether there was one.
func FormatFiles(paths []string, check bool, bad func(error)) (unformatted []string, failed bool, err error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, false, err
		}
		dir, root := p, "."
		if !info.IsDir() {
			dir, root = filepath.Dir(p), filepath.Base(p)
		}
		err = walkRego(os.DirFS(dir), root, func(rel string) error {
			files = append(files, filepath.Join(dir, filepath.FromSlash(rel)))
			return nil
		})
		if err != nil {
			return nil, false, err
		}
	}
	slices.Sort(files)
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			return nil, false, err
		}
		out, err := Format(file, src)
		if err != nil {
			bad(err)
			failed = true
			continue
		}
		if bytes.Equal(src, out) {
			continue
		}
		unformatted = append(unformatted, file)
		if !check {
			info, err := os.Stat(file)
			if err != nil {
				return nil, false, err
			}
			if err := os.WriteFile(file, out, info.Mode().Perm()); err != nil {
				return nil, false, err
			}
		}
	}
	return unformatted, failed, nil
}
