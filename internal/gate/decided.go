package gate

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/ghref"
	"github.com/fsar-gate/fsar/internal/policy"
)

// The shapes of what decided a run, as fsar writes them: its version
// ("dev", a semantic version, or what git describe gives for an untagged
// build: an abbreviated commit, perhaps "-dirty"), the commit it was built
// from (full, or abbreviated as in a Go pseudo-version, perhaps "-dirty"),
// the embedded OPA's version, the policy digest (policy.Engine.Digest) and
// the full commit the policies were read at.
// They are compiled on first use: most runs never read a result, and
// every run pays for what package initialisation compiles.
var (
	fsarVersionRE  = lazyRE(`^(?:dev|v?` + semverRE + `|[0-9a-f]{7,40}(?:-dirty)?)$`)
	fsarCommitRE   = lazyRE(`^[0-9a-f]{7,64}(?:-dirty)?$`)
	opaVersionRE   = lazyRE(`^` + semverRE + `$`)
	policyDigestRE = lazyRE(`^sha256:[0-9a-f]{64}$`)
)

// lazyRE is a regular expression compiled on first use.
func lazyRE(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// semverRE is a semantic version: 1.2.3, with -pre-release and +build
// identifiers.
const semverRE = `[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?`

// maxVersionLen bounds a version string.
const maxVersionLen = 100

// ValidDigest tells whether s is a policy digest as fsar writes it.
func ValidDigest(s string) bool { return policyDigestRE().MatchString(s) }

// Validate checks the shape of every field of a DecidedBy read from a
// file (a check result, a sweep's shard or baseline): they are shown in
// comments, check runs, statuses and every output, and such a file is
// untrusted. The error names the field (decided_by.X).
func (db DecidedBy) Validate() error {
	bad := func(field, value, want string) error {
		return fmt.Errorf("decided_by.%s %s: expected %s", field, strconv.Quote(escape.Truncate(value, 80)), want)
	}
	switch {
	case len(db.FSARVersion) > maxVersionLen || !fsarVersionRE().MatchString(db.FSARVersion):
		return bad("fsar_version", db.FSARVersion, `"dev" or a version such as v1.2.3`)
	case db.FSARCommit != "" && !fsarCommitRE().MatchString(db.FSARCommit):
		return bad("fsar_commit", db.FSARCommit, `a commit id (7 to 64 lowercase hex digits, perhaps "-dirty"), or none`)
	case len(db.OPAVersion) > maxVersionLen || !opaVersionRE().MatchString(db.OPAVersion):
		return bad("opa_version", db.OPAVersion, "a version such as 1.22.3")
	case !ValidDigest(db.PolicyDigest):
		return bad("policy_digest", db.PolicyDigest, `"sha256:" and 64 lowercase hex digits`)
	case db.PolicyRevision != "" && !ghref.ValidSHA(db.PolicyRevision):
		return bad("policy_revision", db.PolicyRevision, "a full commit id (40 or 64 lowercase hex digits), or none")
	case len(db.PolicyBundles) > maxBundles:
		return fmt.Errorf("decided_by.policy_bundles: %d bundles, more than %d", len(db.PolicyBundles), maxBundles)
	}
	for i, b := range db.PolicyBundles {
		field := fmt.Sprintf("policy_bundles[%d]", i)
		switch {
		case b.Location == "" || !plainText(b.Location, maxLocationLen):
			return bad(field+".location", b.Location, fmt.Sprintf("a file, folder or URL of at most %d characters, without control characters", maxLocationLen))
		case !plainText(b.Revision, maxVersionLen):
			return bad(field+".revision", b.Revision, fmt.Sprintf("at most %d characters, without control characters", maxVersionLen))
		case len(b.Roots) == 0 || len(b.Roots) > maxRoots:
			return fmt.Errorf("decided_by.%s.roots: %d roots, expected 1 to %d", field, len(b.Roots), maxRoots)
		}
		for j, r := range b.Roots {
			if !plainText(r, maxVersionLen) {
				return bad(fmt.Sprintf("%s.roots[%d]", field, j), r, fmt.Sprintf("at most %d characters, without control characters", maxVersionLen))
			}
		}
	}
	return nil
}

// Bounds of the bundles a result records.
const (
	maxBundles     = 64
	maxRoots       = 64
	maxLocationLen = 2048
)

// plainText tells whether s is valid UTF-8 of at most n characters with
// no control character.
func plainText(s string, n int) bool {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > n {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}

// Equal tells whether two records name the same run's deciders.
func (db DecidedBy) Equal(o DecidedBy) bool {
	return db.FSARVersion == o.FSARVersion && db.OPAVersion == o.OPAVersion &&
		db.PolicyDigest == o.PolicyDigest && db.PolicyRevision == o.PolicyRevision &&
		db.Now.Equal(o.Now) && slices.EqualFunc(db.PolicyBundles, o.PolicyBundles, func(a, b policy.BundleInfo) bool {
		return a.Location == b.Location && a.Revision == b.Revision && a.Verified == b.Verified && slices.Equal(a.Roots, b.Roots)
	})
}
