package proposal

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FormOf returns the form a file name says, or "" when its extension says
// none (then the content decides).
func FormOf(name string) Form {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".md", ".markdown":
		return Markdown
	case ".json":
		return JSON
	case ".yaml", ".yml":
		return YAML
	}
	return ""
}

// Sniff guesses the form of data whose name does not say it: JSON when it
// starts with "{" or "[", markdown when it starts with an HTML comment or
// has the report's title line, and otherwise YAML.
func Sniff(data []byte) Form {
	t := bytes.TrimLeft(bytes.TrimPrefix(data, []byte(bom)), " \t\r\n")
	switch {
	case bytes.HasPrefix(t, []byte("{")), bytes.HasPrefix(t, []byte("[")):
		return JSON
	case bytes.HasPrefix(t, []byte("<!--")), bytes.HasPrefix(t, []byte(Title)), bytes.Contains(t, []byte("\n"+Title)):
		return Markdown
	}
	return YAML
}

// Parse reads one report from data with the default limits. form may be
// "" to choose from the file name, and then from the content.
func Parse(file string, data []byte, form Form) (*Report, error) {
	return ParseLimited(file, data, form, Limits{})
}

// ParseLimited is Parse within lim.
func ParseLimited(file string, data []byte, form Form, lim Limits) (*Report, error) {
	if form == "" {
		form = FormOf(file)
	}
	if form == "" {
		form = Sniff(data)
	}
	digest := sha256.Sum256(data)
	data, err := checkText(file, data)
	if err != nil {
		return nil, err
	}
	var r *Report
	switch form {
	case Markdown:
		r, err = readMarkdown(file, data, lim)
	case JSON:
		r, err = readJSON(file, data, lim)
	case YAML:
		r, err = readYAML(file, data, lim)
	default:
		return nil, errAt(file, Pos{}, "unknown form %q: expected markdown, json or yaml", form)
	}
	if err == nil && len(r.Markers) > lim.items() {
		// Each marker is an object in the policies' input.
		return nil, errAt(file, r.Markers[lim.items()].Pos, "proposal: more than %d [fsar_block] and [fsar_review] markers: expected a few (raise the limit with --max-items)", lim.items())
	}
	if r != nil {
		r.SHA256 = hex.EncodeToString(digest[:])
	}
	return r, err
}

// readFileSlow is ReadFile with the standard library's file reading: the
// way every file is read on systems without the fast path, and any file
// the fast path finds unusual.
func readFileSlow(path string, lim Limits) (*Report, error) {
	if info, err := os.Stat(path); err == nil && !info.Mode().IsRegular() && !info.IsDir() {
		return nil, notRegular(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Msg: describeIO(err), Err: err}
	}
	defer f.Close()
	data, err := readLimited(path, f, lim.bytes())
	if err != nil {
		return nil, err
	}
	return ParseLimited(path, data, "", lim)
}

// ReadAll reads a report from r (standard input), named file in messages.
func ReadAll(file string, r io.Reader, lim Limits) (*Report, error) {
	data, err := readLimited(file, r, lim.bytes())
	if err != nil {
		return nil, err
	}
	return ParseLimited(file, data, "", lim)
}

func readLimited(file string, r io.Reader, maxBytes int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, &Error{File: file, Msg: describeIO(err), Err: err}
	}
	if int64(len(data)) > maxBytes {
		return nil, errAt(file, offsetPos(data, int(maxBytes)), "file is larger than the limit of %s: expected a short document (raise the limit with --max-size)", humanBytes(maxBytes))
	}
	return data, nil
}

// notRegular is the error for a named pipe, a device or a socket: reading
// one could wait forever or never end.
func notRegular(path string) error {
	return &Error{File: path, Msg: "not a regular file (a named pipe, a device or a socket): expected a report file"}
}

func describeIO(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}

// FormatSize writes a byte count as ParseSize reads it: 10MiB, 512KiB, 300.
func FormatSize(n int64) string {
	if n%(1<<10) != 0 {
		return strconv.FormatInt(n, 10)
	}
	return strings.ReplaceAll(humanBytes(n), " ", "")
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// ParseSize reads a byte count such as 1048576, 512KiB or 10MiB, as
// --max-size takes it.
func ParseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	mult := int64(1)
	t := strings.TrimSpace(s)
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("%q: expected a positive size such as 10MiB", s)
	}
	return n * mult, nil
}
