package gate

import (
	"strings"
	"testing"
)

// TestDecidedByStampedVersions: every version and commit a build of fsar
// stamps (a release, a GoReleaser snapshot, go install at a release or a
// commit, a local build) passes the check a result file is held to.
func TestDecidedByStampedVersions(t *testing.T) {
	digest := "sha256:" + strings.Repeat("0f", 32)
	for _, c := range []struct{ version, commit string }{
		{"v1.2.3", "10ccf74abcde0123456789abcdef0123456789ab"},
		{"v1.3.0-rc.1", ""},
		{"v0.0.1-snapshot-10ccf74", "10ccf74abcde0123456789abcdef0123456789ab"},
		{"v0.0.0-20261130123300-10ccf74abcde", "10ccf74abcde"},
		{"dev", "10ccf74abcde0123456789abcdef0123456789ab-dirty"},
		{"dev", ""},
		{"10ccf74-dirty", ""},
	} {
		db := DecidedBy{FSARVersion: c.version, FSARCommit: c.commit, OPAVersion: "1.22.3", PolicyDigest: digest}
		if err := db.Validate(); err != nil {
			t.Errorf("%q %q: %v", c.version, c.commit, err)
		}
	}
	for _, commit := range []string{"unknown", "10CCF74", "10ccf7", "10ccf74 [x](https://evil.example)", "10ccf74\n", strings.Repeat("a", 65)} {
		db := DecidedBy{FSARVersion: "dev", FSARCommit: commit, OPAVersion: "1.22.3", PolicyDigest: digest}
		if err := db.Validate(); err == nil || !strings.Contains(err.Error(), "decided_by.fsar_commit") {
			t.Errorf("fsar_commit %q: err = %v, want it to name decided_by.fsar_commit", commit, err)
		}
	}
}
