package ghref

import (
	"path/filepath"
	"testing"
)

const sha = "abcdef0123456789abcdef0123456789abcdef01"

func TestBlobURL(t *testing.T) {
	for _, tc := range []struct {
		file string
		line int
		want string
	}{
		{"reports/a.md", 12, "https://github.example.com/acme/gate/blob/" + sha + "/reports/a.md?plain=1#L12"},
		{"reports/a.json", 3, "https://github.example.com/acme/gate/blob/" + sha + "/reports/a.json#L3"},
		{"reports/a.yaml", 0, "https://github.example.com/acme/gate/blob/" + sha + "/reports/a.yaml"},
		{"./x/../r (1)&[a]@b.md", 1, "https://github.example.com/acme/gate/blob/" + sha + "/r%20%281%29%26%5Ba%5D%40b.md?plain=1#L1"},
		{"r\n::error::x#L1.md", 1, "https://github.example.com/acme/gate/blob/" + sha + "/r%0A%3A%3Aerror%3A%3Ax%23L1.md?plain=1#L1"},
		{"-", 1, ""},
		{"../outside.md", 1, ""},
		{"/abs/a.md", 1, ""},
	} {
		if got := BlobURL("https://github.example.com/", "acme/gate", sha, RepoPath(tc.file, "", ""), tc.line); got != tc.want {
			t.Errorf("BlobURL(%q, %d)\n got %q\nwant %q", tc.file, tc.line, got, tc.want)
		}
	}
	for _, bad := range []struct{ server, repo, sha string }{
		{"javascript:alert(1)", "a/b", sha},
		{"https://x", "a/b/c", sha},
		{"https://x", "a/b", "main"},
		{"https://x", "a/b", "abcdef0"}, // an abbreviation is not a commit id
		{"https://x) [y](z", "a/b", sha},
		{"https://x?q=1", "a/b", sha},
		{"", "a/b", sha},
	} {
		if got := BlobURL(bad.server, bad.repo, bad.sha, "a.md", 1); got != "" {
			t.Errorf("%+v links to %q", bad, got)
		}
	}
}

func TestRunURL(t *testing.T) {
	if got := RunURL("https://github.com/", "octo/reports", "42"); got != "https://github.com/octo/reports/actions/runs/42" {
		t.Errorf("RunURL = %q", got)
	}
	for _, bad := range [][3]string{
		{"", "octo/reports", "42"},
		{"https://github.com", "octo", "42"},
		{"https://github.com", "octo/reports", "42/../../x"},
		{"https://github.com", "octo/reports", ""},
		{"file:///etc", "octo/reports", "42"},
	} {
		if got := RunURL(bad[0], bad[1], bad[2]); got != "" {
			t.Errorf("RunURL(%q) = %q, want none", bad, got)
		}
	}
}

func TestRepoPath(t *testing.T) {
	for file, want := range map[string]string{
		"a.md":             "sub/a.md",
		"../b.md":          "b.md",
		"/ws/repo/c/d.md":  "c/d.md",
		"/elsewhere/e.md":  "",
		"../../outside.md": "",
		"-":                "",
	} {
		if got := RepoPath(file, "/ws/repo/sub", "/ws/repo"); got != want {
			t.Errorf("RepoPath(%q) = %q, want %q", file, got, want)
		}
	}
	for file, want := range map[string]string{
		"./x/y.md": "x/y.md", "a/../../b": "", "/abs": "", "": "", "-": "", ".": "",
		"audit/reports/a.md": "audit/reports/a.md", "a/../b.md": "b.md", "../a.md": "",
		// On Linux a backslash is part of a file's name, not a separator.
		`dir\a.md`: filepath.ToSlash(`dir\a.md`),
	} {
		if got := RepoPath(file, "", ""); got != want {
			t.Errorf("no roots: RepoPath(%q) = %q, want %q", file, got, want)
		}
	}
}

func TestRepositoryAndSHA(t *testing.T) {
	for _, ok := range []string{"octo/reports", "a/b", "my-org/repo.name_1"} {
		if !ValidRepository(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	for _, bad := range []string{"", "octo", "a/b/c", "-a/b", "a/..", "a/.", "a b/c", "a/b\n", "[x](y)/z"} {
		if ValidRepository(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
	if !ValidSHA(sha) || ValidSHA("ABCDEF0123456789ABCDEF0123456789ABCDEF01") || ValidSHA("abc") || ValidSHA(sha+"\n") {
		t.Error("ValidSHA")
	}
}
