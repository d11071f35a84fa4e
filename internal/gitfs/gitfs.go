// Package gitfs reads files as they are at a git revision, without
// checking it out: a pull request is judged by the policies of its base
// branch, not by the ones it brings.
package gitfs

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing/fstest"
)

// Snapshot is the files under some paths at one commit.
type Snapshot struct {
	// Commit is the full hash the revision resolved to.
	Commit string
	// FS holds the files, named by their paths relative to the directory
	// the snapshot was taken in.
	FS fs.FS
}

// maxFileBytes bounds each file read from git: policies and configuration
// are small, and a revision is as untrusted as any other input.
const maxFileBytes = 10 << 20

// Take reads the files under paths (files or folders, relative to dir) as
// they are at rev in the repository that holds dir. A path that does not
// exist at rev is simply absent from the snapshot.
func Take(ctx context.Context, dir, rev string, paths []string) (*Snapshot, error) {
	if rev == "" || strings.HasPrefix(rev, "-") || strings.ContainsAny(rev, "\x00\n") {
		return nil, fmt.Errorf("git revision %q: expected a branch, tag or commit", rev)
	}
	commit, err := git(ctx, dir, nil, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		return nil, fmt.Errorf("git revision %q: not found (is it fetched? in GitHub Actions, fetch the base branch first): %w", rev, err)
	}
	sha := strings.TrimSpace(string(commit))
	snap := &Snapshot{Commit: sha}
	mfs := fstest.MapFS{}
	snap.FS = mfs
	if len(paths) == 0 {
		return snap, nil
	}
	clean := make([]string, len(paths))
	for i, p := range paths {
		clean[i] = path.Clean(filepath.ToSlash(p))
		if filepath.IsAbs(p) || clean[i] == ".." || strings.HasPrefix(clean[i], "../") || strings.HasPrefix(clean[i], "-") {
			return nil, fmt.Errorf("path %q: expected a path relative to the working folder, inside it, to read at a git revision", p)
		}
	}
	// Entries: "<mode> <type> <object>\t<path>", NUL-terminated; paths
	// relative to dir. Many paths (a result naming thousands of reports)
	// would overflow the command line: then the whole folder is listed
	// and filtered here.
	args := append([]string{"ls-tree", "-r", "-z", "--full-name", sha, "--"}, clean...)
	keep := func(string) bool { return true }
	if len(clean) > maxPathArgs {
		args = []string{"ls-tree", "-r", "-z", "--full-name", sha, "--", "."}
		keep = under(clean)
	}
	out, err := git(ctx, dir, nil, args...)
	if err != nil {
		return nil, err
	}
	prefix, err := git(ctx, dir, nil, "rev-parse", "--show-prefix")
	if err != nil {
		return nil, err
	}
	pre := strings.TrimSpace(string(prefix))
	type entry struct{ object, name string }
	var entries []entry
	for _, rec := range bytes.Split(out, []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		meta, name, ok := strings.Cut(string(rec), "\t")
		fields := strings.Fields(meta)
		if !ok || len(fields) != 3 {
			return nil, fmt.Errorf("git ls-tree: unexpected entry %q", rec)
		}
		if fields[1] != "blob" { // no submodules
			continue
		}
		rel, inside := strings.CutPrefix(name, pre)
		if !inside || !keep(rel) {
			continue
		}
		if fields[0] == "120000" {
			// A symbolic link is never followed: it stands in the
			// snapshot as a link with nothing behind it, so that a reader
			// can refuse it rather than not see it.
			mfs[rel] = &fstest.MapFile{Mode: fs.ModeSymlink | 0o777}
			continue
		}
		entries = append(entries, entry{object: fields[2], name: rel})
	}
	if len(entries) == 0 {
		return snap, nil
	}
	var req bytes.Buffer
	for _, e := range entries {
		req.WriteString(e.object)
		req.WriteByte('\n')
	}
	blobs, err := git(ctx, dir, &req, "cat-file", "--batch")
	if err != nil {
		return nil, err
	}
	r := bufio.NewReader(bytes.NewReader(blobs))
	for _, e := range entries {
		header, err := r.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("git cat-file: %w", err)
		}
		f := strings.Fields(header)
		if len(f) != 3 || f[0] != e.object {
			return nil, fmt.Errorf("git cat-file: unexpected header %q", header)
		}
		size, err := strconv.Atoi(f[2])
		if err != nil || size < 0 || size > maxFileBytes {
			return nil, fmt.Errorf("%s at %s: %s bytes, over the limit of %d", e.name, rev, f[2], maxFileBytes)
		}
		data := make([]byte, size+1) // the content and its trailing newline
		if _, err := io.ReadFull(r, data); err != nil {
			return nil, fmt.Errorf("git cat-file: %w", err)
		}
		mfs[e.name] = &fstest.MapFile{Data: data[:size], Mode: 0o644}
	}
	return snap, nil
}

// Changed lists the files under paths that differ between rev and the
// working tree of dir (what a pull request changes in them).
func Changed(ctx context.Context, dir, rev string, paths []string) ([]string, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	args := append([]string{"diff", "--name-only", "-z", "--relative", "--end-of-options", rev, "--"}, paths...)
	return names(git(ctx, dir, nil, args...))
}

// names splits git's NUL-terminated list of paths.
func names(out []byte, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	var list []string
	for _, n := range bytes.Split(out, []byte{0}) {
		if len(n) > 0 {
			list = append(list, string(n))
		}
	}
	return list, nil
}

// git runs git in dir with no shell and no terminal prompt.
func git(ctx context.Context, dir string, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(cmd.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_OPTIONAL_LOCKS=0")
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			msg := strings.TrimSpace(stderr.String())
			if msg == "" {
				msg = ee.Error()
			}
			return nil, fmt.Errorf("git %s: %s", args[0], msg)
		}
		return nil, fmt.Errorf("git %s: %w", args[0], err)
	}
	return out, nil
}

// ChangedSince lists the files the commits from base's merge base to HEAD
// add or modify (git diff BASE...HEAD; removed files are left out), by
// their paths from the repository's top level.
func ChangedSince(ctx context.Context, dir, base string) ([]string, error) {
	return ChangedBetween(ctx, dir, base, "HEAD")
}

// ChangedBetween is ChangedSince with another head than HEAD: the commit
// the reports were read at (check --reports-ref).
func ChangedBetween(ctx context.Context, dir, base, head string) ([]string, error) {
	for _, rev := range []string{base, head} {
		if rev == "" || strings.HasPrefix(rev, "-") || strings.ContainsAny(rev, "\x00\n") {
			return nil, fmt.Errorf("git revision %q: expected a branch, tag or commit", rev)
		}
	}
	return names(git(ctx, dir, nil, "diff", "--name-only", "-z", "--no-renames", "--diff-filter=d", "--end-of-options", base+"..."+head))
}

// TopLevel is the absolute root of the repository that holds dir.
func TopLevel(ctx context.Context, dir string) (string, error) {
	out, err := git(ctx, dir, nil, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// maxPathArgs is the most paths Take passes to git on its command line.
const maxPathArgs = 256

// under tells whether a path is one of paths or inside one of them.
func under(paths []string) func(string) bool {
	set := make(map[string]bool, len(paths))
	for _, p := range paths {
		set[p] = true
	}
	return func(name string) bool {
		if set["."] {
			return true
		}
		for p := name; p != "." && p != "/" && p != ""; p = path.Dir(p) {
			if set[p] {
				return true
			}
		}
		return false
	}
}
