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
