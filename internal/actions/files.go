package actions

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// SummaryLimit is GitHub's limit for one step's job summary: over it, the
// whole summary is rejected.
const SummaryLimit = 1 << 20

// AppendSummary appends a piece to the job summary file at path, whole or
// not at all. render is given the room left under SummaryLimit (after the
// blank line that separates the piece from what the file holds) and
// returns the piece, or nil when it cannot write one that small. When
// nothing is written because there is no room, note says why and err is
// nil: GitHub would reject the whole summary.
func AppendSummary(path string, render func(room int64) ([]byte, error)) (note string, err error) {
	size, err := fileSize(path)
	if err != nil {
		return "", fmt.Errorf("job summary %s: %w", path, err)
	}
	sep := ""
	if size > 0 {
		sep = "\n"
	}
	room := SummaryLimit - size - int64(len(sep))
	body, err := render(room)
	if err != nil {
		return "", fmt.Errorf("job summary: %w", err)
	}
	if body == nil {
		return fmt.Sprintf("job summary not written: %s already holds %d bytes of GitHub's %d", path, size, SummaryLimit), nil
	}
	if int64(len(sep)+len(body)) > SummaryLimit-size {
		return fmt.Sprintf("job summary not written: %d more bytes would take %s over GitHub's %d", len(sep)+len(body), path, SummaryLimit), nil
	}
	if err := appendFile(path, sep+string(body)); err != nil {
		return "", fmt.Errorf("job summary %s: %w", path, err)
	}
	return "", nil
}

// SetOutputs appends step outputs (name=value lines) to the file at path
// (GITHUB_OUTPUT). A value with a line break is refused: it would end the
// line and could set another output.
func SetOutputs(path string, outputs [][2]string) error {
	var b strings.Builder
	for _, o := range outputs {
		if strings.ContainsAny(o[0]+o[1], "\r\n") || strings.Contains(o[0], "=") {
			return fmt.Errorf("step output %q=%q holds a line break", o[0], o[1])
		}
		b.WriteString(o[0] + "=" + o[1] + "\n")
	}
	if err := appendFile(path, b.String()); err != nil {
		return fmt.Errorf("step outputs %s: %w", path, err)
	}
	return nil
}

// fileSize is the size of the file at path: 0 when it does not exist.
func fileSize(path string) (int64, error) {
	switch info, err := os.Stat(path); {
	case err == nil:
		return info.Size(), nil
	case errors.Is(err, fs.ErrNotExist):
		return 0, nil
	default:
		return 0, unwrapPath(err)
	}
}

func appendFile(path, text string) error {
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return unwrapPath(err)
	}
	_, err = io.WriteString(file, text)
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	return unwrapPath(err)
}

// ReadFile reads the file at path, refusing one larger than limit bytes:
// the file reader Load is given in fsar.
func ReadFile(path string, limit int64) ([]byte, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, unwrapPath(err)
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, limit+1))
	if err != nil {
		return nil, unwrapPath(err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return data, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
