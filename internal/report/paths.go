package report

import (
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// repoPath returns file's path relative to the repository root, with
// forward slashes, or "" when it has none: standard input, or a file
// outside the repository.
func (o *Options) repoPath(file string) string {
	if file == "" || file == "-" {
		return ""
	}
	p := file
	if o.WorkDir != "" && o.RepoRoot != "" {
		if !filepath.IsAbs(p) {
			p = filepath.Join(o.WorkDir, p)
		}
		rel, err := filepath.Rel(o.RepoRoot, p)
		if err != nil {
			return ""
		}
		p = rel
	} else if filepath.IsAbs(p) {
		return ""
	}
	p = filepath.ToSlash(filepath.Clean(p))
	if p == "." || p == ".." || strings.HasPrefix(p, "../") {
		return ""
	}
	return p
}

var (
	repositoryRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	shaRE        = regexp.MustCompile(`^[0-9a-f]{7,64}$`)
)

// webURL returns u when it is a plain http(s) URL that can stand in a
// markdown link as it is, else "".
func webURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || p.User != nil || p.RawQuery != "" || p.Fragment != "" {
		return ""
	}
	if strings.ContainsAny(u, " <>()[]\\\"'`\t\r\n") {
		return ""
	}
	return u
}

// blobURL links to file's line on GitHub ($SERVER/OWNER/REPO/blob/SHA/PATH,
// with #L<line> when line > 0), or returns "" when the server, repository
// and commit are not all known and well formed or the file has no path in
// the repository. Markdown files are linked in their plain view, the only
// one where a line can be pointed at.
func (o *Options) blobURL(file string, line int) string {
	server := webURL(strings.TrimRight(o.ServerURL, "/"))
	p := o.repoPath(file)
	if server == "" || p == "" || !repositoryRE.MatchString(o.Repository) || !shaRE.MatchString(o.SHA) {
		return ""
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = strings.NewReplacer("&", "%26", "@", "%40", "$", "%24", "+", "%2B", "=", "%3D", ":", "%3A").Replace(url.PathEscape(s))
	}
	u := server + "/" + o.Repository + "/blob/" + o.SHA + "/" + strings.Join(segs, "/")
	if line > 0 {
		if ext := strings.ToLower(filepath.Ext(p)); ext == ".md" || ext == ".markdown" {
			u += "?plain=1"
		}
		u += "#L" + strconv.Itoa(line)
	}
	return u
}
