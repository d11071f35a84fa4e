package report

import "github.com/fsar-gate/fsar/internal/ghref"

// repoPath returns file's path relative to the repository root, with
// forward slashes, or "" when it has none (see ghref.RepoPath).
func (o *Options) repoPath(file string) string {
	return ghref.RepoPath(file, o.WorkDir, o.RepoRoot)
}

// blobURL links to file's line on GitHub, or returns "" when the server,
// repository and commit are not all known and well formed or the file has
// no path in the repository (see ghref.BlobURL).
func (o *Options) blobURL(file string, line int) string {
	return ghref.BlobURL(o.ServerURL, o.Repository, o.SHA, o.repoPath(file), line)
}
