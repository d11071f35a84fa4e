package policy

import (
	"cmp"
	"fmt"
	"slices"
)

// Level is how much a finding weighs. Levels are ordered: Warn < Review < Deny.
// The zero Level is not a valid level.
type Level int

// The levels, one per policy set.
const (
	Warn   Level = iota + 1 // the warn set: advisory
	Review                  // the review set: blocks until a person approves
	Deny                    // the deny set: a hard block
)

// Levels lists the valid levels from the lowest to the highest.
var Levels = []Level{Warn, Review, Deny}

// String returns the set name of the level: "deny", "review" or "warn".
func (l Level) String() string {
	switch l {
	case Warn:
		return "warn"
	case Review:
		return "review"
	case Deny:
		return "deny"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// ParseLevel parses "deny", "review" or "warn".
func ParseLevel(s string) (Level, error) {
	for _, l := range Levels {
		if l.String() == s {
			return l, nil
		}
	}
	return 0, fmt.Errorf("unknown level %q (want deny, review or warn)", s)
}

// MarshalText encodes the level as its name.
func (l Level) MarshalText() ([]byte, error) {
	if l < Warn || l > Deny {
		return nil, fmt.Errorf("invalid level %d", int(l))
	}
	return []byte(l.String()), nil
}

// UnmarshalText decodes a level name.
func (l *Level) UnmarshalText(b []byte) error {
	v, err := ParseLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// Finding is one element of a deny, review or warn set.
type Finding struct {
	Level       Level  // from the set the element is in
	Rule        string // the element's rule, else the custom.id of the set's rules, else "<package>.<set>"
	Msg         string // the element's msg
	Field       string // the element's field, "" when absent
	Remediation string // the element's remediation, else the rule annotation's custom.remediation
	Title       string // the rule annotation's title, "" when the rule has no annotation
	Package     string // the package of the set, without "data." ("fsar.severity")
}

// compareFindings orders findings: highest level first, then rule, field,
// message and package.
func compareFindings(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(b.Level, a.Level),
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Field, b.Field),
		cmp.Compare(a.Msg, b.Msg),
		cmp.Compare(a.Package, b.Package),
		cmp.Compare(a.Remediation, b.Remediation),
		cmp.Compare(a.Title, b.Title),
	)
}

// SortFindings sorts findings in the order Eval returns them: level (deny
// first), then rule, field, message and package.
func SortFindings(fs []Finding) { slices.SortFunc(fs, compareFindings) }

// Rule describes a policy rule from its METADATA annotation (one with a
// custom.id).
type Rule struct {
	ID          string // custom.id
	Level       Level  // custom.level, else the set the annotated rule defines
	Title       string // title
	Description string // description
	Remediation string // custom.remediation
	// Share is custom.share: the share of reports a sweep follows that a
	// finding of this rule counts a report toward ("canned", "stale"), or
	// "" for none.
	Share   string
	Package string // "fsar.severity"
	File    string // module file name, as given by its Source
	Line    int    // line of the annotated rule
	// Waivable is false when custom.waivable is false: no waiver may
	// accept the rule's findings.
	Waivable bool
}

// maxShareName bounds a share's name (custom.share).
const maxShareName = 40

// ValidShareName tells whether s can name a share: lower-case letters,
// digits and _, starting with a letter, at most 40 characters.
func ValidShareName(s string) bool {
	if s == "" || len(s) > maxShareName || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}
