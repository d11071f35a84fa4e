// Package ghref validates and builds references to things on GitHub:
// repository names, commit ids, a file's path in its repository, and the
// web addresses of files, lines and workflow runs. It is the one place
// that decides what a well-formed reference is; anything it refuses is
// left out of fsar's output rather than written as it came.
package ghref

import (
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// The shapes, compiled on first use (not by every run's start).
var (
	ownerRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$`) })
	repoRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`) })
	shaRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:[0-9a-f]{40}|[0-9a-f]{64})$`) })
	runIDRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{1,20}$`) })
)

// SplitRepository reads "OWNER/REPO" as GitHub allows them.
func SplitRepository(s string) (owner, repo string, err error) {
	owner, repo, ok := strings.Cut(s, "/")
	if !ok || !ownerRE().MatchString(owner) || !repoRE().MatchString(repo) || repo == "." || repo == ".." {
		return "", "", fmt.Errorf("repository %q: expected OWNER/REPO", s)
	}
	return owner, repo, nil
}

// ValidRepository tells whether s is "OWNER/REPO".
func ValidRepository(s string) bool {
	_, _, err := SplitRepository(s)
	return err == nil
}

// ValidSHA tells whether s is a full commit id (SHA-1 or SHA-256, lower
// case).
func ValidSHA(s string) bool { return shaRE().MatchString(s) }

// ValidRunID tells whether s is a workflow run's id.
func ValidRunID(s string) bool { return runIDRE().MatchString(s) }

// WebURL returns u when it is a plain http(s) URL — no credentials, query
// or fragment, and no character that could end a markdown link or an HTML
// attribute — and otherwise "".
func WebURL(u string) string {
	p, err := url.Parse(u)
	if u == "" || err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || p.User != nil || p.RawQuery != "" || p.Fragment != "" {
		return ""
	}
	if strings.ContainsAny(u, " <>()[]\\\"'`\t\r\n") {
		return ""
	}
	return u
}

// RunURL is the page of workflow run id in repo on server, or "" when
// any of them is not well formed.
func RunURL(server, repo, id string) string {
	server = WebURL(strings.TrimRight(server, "/"))
	if server == "" || !ValidRepository(repo) || !ValidRunID(id) {
		return ""
	}
	return server + "/" + repo + "/actions/runs/" + id
}

// BlobURL links to a file's line on GitHub ($SERVER/OWNER/REPO/blob/SHA/
// PATH, with #L<line> when line > 0), where repoPath is the file's path in
// the repository (see RepoPath). It returns "" when the server,
// repository, commit or path is not well formed. Markdown files are
// linked in their plain view, the only one where a line can be pointed at.
func BlobURL(server, repo, sha, repoPath string, line int) string {
	server = WebURL(strings.TrimRight(server, "/"))
	if server == "" || repoPath == "" || !ValidRepository(repo) || !ValidSHA(sha) {
		return ""
	}
	segs := strings.Split(repoPath, "/")
	for i, s := range segs {
		segs[i] = strings.NewReplacer("&", "%26", "@", "%40", "$", "%24", "+", "%2B", "=", "%3D", ":", "%3A").Replace(url.PathEscape(s))
	}
	u := server + "/" + repo + "/blob/" + sha + "/" + strings.Join(segs, "/")
	if line > 0 {
		if ext := strings.ToLower(path.Ext(repoPath)); ext == ".md" || ext == ".markdown" {
			u += "?plain=1"
		}
		u += "#L" + strconv.Itoa(line)
	}
	return u
}

// RepoPath returns file's path relative to the repository's root, with
// forward slashes, or "" when it has none: standard input ("-"), or a
// file outside the repository. When workDir (the absolute folder relative
// paths start from) and repoRoot (the repository's absolute root) are both
// known, the path is computed from them; otherwise a relative path is
// taken as relative to the root already, and an absolute one has none.
func RepoPath(file, workDir, repoRoot string) string {
	if file == "" || file == "-" {
		return ""
	}
	p := file
	if workDir != "" && repoRoot != "" {
		if !filepath.IsAbs(p) {
			p = filepath.Join(workDir, p)
		}
		rel, err := filepath.Rel(repoRoot, p)
		if err != nil {
			return ""
		}
		p = rel
	} else if filepath.IsAbs(p) || strings.HasPrefix(p, "/") {
		return ""
	}
	p = path.Clean(filepath.ToSlash(p))
	if p == "." || p == ".." || strings.HasPrefix(p, "../") || strings.HasPrefix(p, "/") {
		return ""
	}
	return p
}
