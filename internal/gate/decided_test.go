package gate

import (
	"strings"
	"testing"
	"time"

	"github.com/fsar-gate/fsar/internal/policy"
)

// TestDecidedByBundles: the bundles a result records are checked as the
// rest of what decided it is (a result file is untrusted), and compared
// by Equal.
func TestDecidedByBundles(t *testing.T) {
	base := DecidedBy{FSARVersion: "v1.2.3", OPAVersion: "1.22.3", PolicyDigest: "sha256:" + strings.Repeat("a", 64),
		Now: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}
	ok := base
	ok.PolicyBundles = []policy.BundleInfo{{Location: "https://policies.example/team.tar.gz", Revision: "v7", Roots: []string{"fsar/team"}, Verified: true}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, b := range []policy.BundleInfo{
		{Location: "", Roots: []string{""}},
		{Location: "x.tar.gz\n::error::forged", Roots: []string{"fsar/x"}},
		{Location: "x.tar.gz", Revision: "v1\u2028::error::forged", Roots: []string{"fsar/x"}},
		{Location: "x.tar.gz", Roots: nil},
		{Location: "x.tar.gz", Roots: []string{"fsar/\x1b[2J"}},
		{Location: strings.Repeat("x", 2049), Roots: []string{"fsar/x"}},
	} {
		bad := base
		bad.PolicyBundles = []policy.BundleInfo{b}
		if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "decided_by.policy_bundles") {
			t.Errorf("%#v: %v", b, err)
		}
	}
	same := ok
	same.PolicyBundles = []policy.BundleInfo{ok.PolicyBundles[0]}
	baseCopy := base
	if !ok.Equal(same) || ok.Equal(base) || !base.Equal(baseCopy) {
		t.Error("Equal")
	}
	other := ok
	other.PolicyBundles = []policy.BundleInfo{{Location: ok.PolicyBundles[0].Location, Revision: "v8", Roots: []string{"fsar/team"}, Verified: true}}
	if ok.Equal(other) {
		t.Error("two revisions are equal")
	}
}

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
