package policy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
)

func TestEvalFindings(t *testing.T) {
	annotated := regoSrc(
		"package fsar.sev",
		"",
		"# METADATA",
		"# title: Severity too high",
		"# custom:",
		"#   id: severity-hard",
		"#   level: deny",
		"#   remediation: Lower the severity.",
		"deny contains {\"rule\": \"severity-hard\", \"msg\": \"too high\", \"field\": \"severity\"} if input.severity >= 45",
	)
	tests := []struct {
		name  string
		files map[string]string
		input any
		want  []Finding
	}{
		{
			name:  "rule given, title and remediation from its annotation",
			files: map[string]string{"sev.rego": annotated},
			input: map[string]any{"severity": 50},
			want: []Finding{{
				Level: Deny, Rule: "severity-hard", Msg: "too high", Field: "severity",
				Remediation: "Lower the severity.", Title: "Severity too high", Package: "fsar.sev",
			}},
		},
		{
			name:  "no finding",
			files: map[string]string{"sev.rego": annotated},
			input: map[string]any{"severity": 6},
			want:  nil,
		},
		{
			name: "element remediation wins over the annotation",
			files: map[string]string{"x.rego": regoSrc(
				"package fsar.x",
				"",
				"# METADATA",
				"# title: T",
				"# custom:",
				"#   id: r1",
				"#   remediation: from annotation",
				"review contains {\"rule\": \"r1\", \"msg\": \"m\", \"remediation\": \"from element\"} if true",
			)},
			want: []Finding{{Level: Review, Rule: "r1", Msg: "m", Remediation: "from element", Title: "T", Package: "fsar.x"}},
		},
		{
			name: "no rule: the custom.id of the only rule of the set",
			files: map[string]string{"x.rego": regoSrc(
				"package fsar.x",
				"",
				"# METADATA",
				"# title: Warned",
				"# custom:",
				"#   id: only-one",
				"#   remediation: Do it.",
				"warn contains {\"msg\": \"w\"} if true",
			)},
			want: []Finding{{Level: Warn, Rule: "only-one", Msg: "w", Remediation: "Do it.", Title: "Warned", Package: "fsar.x"}},
		},
		{
			name: "no rule: a document-scope annotation covers every rule of the set",
			files: map[string]string{"x.rego": regoSrc(
				"package fsar.x",
				"",
				"# METADATA",
				"# scope: document",
				"# title: Doc",
				"# custom:",
				"#   id: doc-id",
				"warn contains {\"msg\": \"a\"} if true",
				"",
				"warn contains {\"msg\": \"b\"} if true",
			)},
			want: []Finding{
				{Level: Warn, Rule: "doc-id", Msg: "a", Title: "Doc", Package: "fsar.x"},
				{Level: Warn, Rule: "doc-id", Msg: "b", Title: "Doc", Package: "fsar.x"},
			},
		},
		{
			name: "no rule: two annotated rules in the set give package.set",
			files: map[string]string{"x.rego": regoSrc(
				"package fsar.x",
				"",
				"# METADATA",
				"# custom:",
				"#   id: one",
				"deny contains {\"msg\": \"a\"} if true",
				"",
				"# METADATA",
				"# custom:",
				"#   id: two",
				"deny contains {\"msg\": \"b\"} if true",
			)},
			want: []Finding{
				{Level: Deny, Rule: "fsar.x.deny", Msg: "a", Package: "fsar.x"},
				{Level: Deny, Rule: "fsar.x.deny", Msg: "b", Package: "fsar.x"},
			},
		},
		{
			name: "no rule: one annotated and one plain rule give package.set",
			files: map[string]string{"x.rego": regoSrc(
				"package fsar.x",
				"",
				"# METADATA",
				"# custom:",
				"#   id: one",
				"deny contains {\"msg\": \"a\"} if true",
				"",
				"deny contains {\"msg\": \"b\"} if true",
			)},
			want: []Finding{
				{Level: Deny, Rule: "fsar.x.deny", Msg: "a", Package: "fsar.x"},
				{Level: Deny, Rule: "fsar.x.deny", Msg: "b", Package: "fsar.x"},
			},
		},
		{
			name:  "no rule, no annotation: package.set",
			files: map[string]string{"x.rego": "package fsar.example\n\ndeny contains {\"msg\": \"plain\", \"field\": \"risks[1]\"} if true\n"},
			want:  []Finding{{Level: Deny, Rule: "fsar.example.deny", Msg: "plain", Field: "risks[1]", Package: "fsar.example"}},
		},
		{
			name:  "a plain string element is the msg",
			files: map[string]string{"x.rego": "package fsar.x\n\nwarn contains \"just a string\" if true\n"},
			want:  []Finding{{Level: Warn, Rule: "fsar.x.warn", Msg: "just a string", Package: "fsar.x"}},
		},
		{
			name:  "unknown keys are ignored",
			files: map[string]string{"x.rego": "package fsar.x\n\nwarn contains {\"msg\": \"m\", \"details\": {\"a\": 1}} if true\n"},
			want:  []Finding{{Level: Warn, Rule: "fsar.x.warn", Msg: "m", Package: "fsar.x"}},
		},
		{
			name: "a complete rule: defined, and undefined gives nothing",
			files: map[string]string{"x.rego": regoSrc(
				"package fsar.x",
				"",
				"deny := {{\"msg\": \"complete\"}} if input.on",
				"",
				"review := {{\"msg\": \"never\"}} if input.off",
			)},
			input: map[string]any{"on": true},
			want:  []Finding{{Level: Deny, Rule: "fsar.x.deny", Msg: "complete", Package: "fsar.x"}},
		},
		{
			name: "sorted: level desc, then rule, field, msg",
			files: map[string]string{
				"a.rego": regoSrc(
					"package fsar.a",
					"",
					"# METADATA",
					"# custom: {id: a}",
					"warn contains {\"rule\": \"a\", \"msg\": \"w\"} if true",
					"",
					"# METADATA",
					"# custom: {id: z}",
					"deny contains {\"rule\": \"z\", \"msg\": \"d2\", \"field\": \"b\"} if true",
					"",
					"deny contains {\"rule\": \"z\", \"msg\": \"d1\", \"field\": \"b\"} if true",
				),
				"b.rego": regoSrc(
					"package fsar.b",
					"",
					"deny contains {\"rule\": \"z\", \"msg\": \"d0\", \"field\": \"a\"} if true",
					"",
					"# METADATA",
					"# custom: {id: m}",
					"review contains {\"rule\": \"m\", \"msg\": \"r\"} if true",
					"",
					"# METADATA",
					"# custom: {id: b}",
					"deny contains {\"rule\": \"b\", \"msg\": \"d\"} if true",
				),
			},
			want: []Finding{
				{Level: Deny, Rule: "b", Msg: "d", Package: "fsar.b"},
				{Level: Deny, Rule: "z", Msg: "d0", Field: "a", Package: "fsar.b"},
				{Level: Deny, Rule: "z", Msg: "d1", Field: "b", Package: "fsar.a"},
				{Level: Deny, Rule: "z", Msg: "d2", Field: "b", Package: "fsar.a"},
				{Level: Review, Rule: "m", Msg: "r", Package: "fsar.b"},
				{Level: Warn, Rule: "a", Msg: "w", Package: "fsar.a"},
			},
		},
		{
			name: "helpers under fsar.lib and test files are not policies",
			files: map[string]string{
				"lib/h.rego":  "package fsar.lib.h\n\nbig(x) if x > 10\n",
				"x.rego":      "package fsar.x\n\nimport data.fsar.lib.h\n\ndeny contains {\"msg\": \"big\"} if h.big(input.n)\n",
				"x_test.rego": "package fsar.x\n\nwarn contains {\"msg\": \"from a test file\"} if true\n",
			},
			input: map[string]any{"n": 11},
			want:  []Finding{{Level: Deny, Rule: "fsar.x.deny", Msg: "big", Package: "fsar.x"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustLoad(t, tt.files)
			in := tt.input
			if in == nil {
				in = map[string]any{}
			}
			got, err := e.Eval(t.Context(), value(t, in))
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRules(t *testing.T) {
	e := mustLoad(t, map[string]string{
		"b.rego": regoSrc(
			"package fsar.b",
			"",
			"# METADATA",
			"# title: Zed",
			"# description: Last by id.",
			"# custom:",
			"#   id: zed",
			"#   remediation: Fix zed.",
			"warn contains {\"msg\": \"z\"} if false",
		),
		"a.rego": regoSrc(
			"package fsar.a",
			"",
			"# METADATA",
			"# title: Alpha",
			"# custom:",
			"#   id: alpha",
			"#   level: deny",
			"deny contains {\"msg\": \"a\"} if false",
			"",
			"# METADATA",
			"# title: Alpha again",
			"# custom:",
			"#   id: alpha",
			"deny contains {\"msg\": \"a2\"} if false",
			"",
			"# METADATA",
			"# title: Not a rule, it has no custom.id",
			"review contains {\"msg\": \"r\"} if false",
		),
	})
	want := []Rule{
		{ID: "alpha", Level: Deny, Title: "Alpha", Package: "fsar.a", File: "policies/a.rego", Line: 8, Waivable: true},
		{ID: "zed", Level: Warn, Title: "Zed", Description: "Last by id.", Remediation: "Fix zed.", Package: "fsar.b", File: "policies/b.rego", Line: 9, Waivable: true},
	}
	if diff := cmp.Diff(want, e.Rules()); diff != "" {
		t.Errorf("Rules (-want +got):\n%s", diff)
	}
}

func TestDataAndConfig(t *testing.T) {
	files := map[string]string{"x.rego": regoSrc(
		"package fsar.x",
		"",
		"warn contains {\"msg\": sprintf(\"config=%v\", [data.fsar.config])} if true",
		"",
		"warn contains {\"msg\": sprintf(\"owners=%v\", [data.owners])} if data.owners",
	)}
	tests := []struct {
		name   string
		data   map[string]any
		config map[string]any
		want   []string
	}{
		{name: "no config is an empty object", want: []string{"config={}"}},
		{
			name:   "config reaches data.fsar.config",
			config: map[string]any{"block_threshold": 40, "nested": map[string]any{"a": "b"}},
			want:   []string{`config={"block_threshold": 40, "nested": {"a": "b"}}`},
		},
		{
			name: "data merged at the root",
			data: map[string]any{"owners": []any{"alice"}, "fsar": map[string]any{"extra": 1}},
			want: []string{"config={}", `owners=["alice"]`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := optsFor(files)
			opts.Data, opts.Config = tt.data, tt.config
			e, err := Load(t.Context(), opts)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			fs, err := e.Eval(t.Context(), value(t, map[string]any{}))
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			var got []string
			for _, f := range fs {
				got = append(got, f.Msg)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("msgs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfigNotSharedWithCaller(t *testing.T) {
	cfg := map[string]any{"n": 1}
	opts := optsFor(map[string]string{"x.rego": "package fsar.x\n\nwarn contains {\"msg\": sprintf(\"%v\", [data.fsar.config.n])} if true\n"})
	opts.Config = cfg
	e, err := Load(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	cfg["n"] = 2 // changing the caller's map after Load changes nothing
	fs, err := e.Eval(t.Context(), value(t, map[string]any{}))
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Msg != "1" {
		t.Errorf("got %+v, want msg 1", fs)
	}
}

func TestNowPinsTime(t *testing.T) {
	files := map[string]string{"x.rego": regoSrc(
		"package fsar.x",
		"",
		"warn contains {\"msg\": sprintf(\"%d\", [time.now_ns()])} if true",
		"",
		"warn contains {\"msg\": \"stale\"} if time.now_ns() - input.time_ns > 30 * 24 * 3600e9",
	)}
	for _, now := range []time.Time{testNow, time.Date(1999, 12, 31, 23, 59, 59, 123456789, time.UTC)} {
		t.Run(now.Format(time.RFC3339Nano), func(t *testing.T) {
			opts := optsFor(files)
			opts.Now = now
			e, err := Load(t.Context(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if !e.Now().Equal(now) {
				t.Errorf("Now() = %v, want %v", e.Now(), now)
			}
			in := value(t, map[string]any{"time_ns": now.Add(-31 * 24 * time.Hour).UnixNano()})
			for range 3 {
				fs, err := e.Eval(t.Context(), in)
				if err != nil {
					t.Fatal(err)
				}
				var msgs []string
				for _, f := range fs {
					msgs = append(msgs, f.Msg)
				}
				want := []string{fmt.Sprint(now.UnixNano()), "stale"}
				if diff := cmp.Diff(want, msgs); diff != "" {
					t.Fatalf("msgs (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	ok := "package fsar.ok\n\ndeny contains {\"msg\": \"m\"} if false\n"
	tests := []struct {
		name  string
		files map[string]string
		opts  func(*Options)
		want  []string // substrings of the error
	}{
		{
			name:  "syntax error names file:line",
			files: map[string]string{"bad.rego": "package fsar.bad\n\ndeny contains {\"msg\": } if true\n"},
			want:  []string{"policies/bad.rego:3:"},
		},
		{
			name: "http.send is refused at compile time",
			files: map[string]string{"x.rego": regoSrc(
				"package fsar.x",
				"",
				"deny contains {\"msg\": \"m\"} if {",
				"\tinput.a",
				"\tresp := http.send({\"method\": \"GET\", \"url\": \"https://example.com\"})",
				"\tresp.status_code == 200",
				"}",
			)},
			want: []string{"policies/x.rego:5:", "undefined function http.send", "not available to fsar policies", "network"},
		},
		{
			name:  "opa.runtime is refused",
			files: map[string]string{"x.rego": "package fsar.x\n\ndeny contains {\"msg\": opa.runtime().env.HOME} if true\n"},
			want:  []string{"policies/x.rego:3:", "undefined function opa.runtime", "environment"},
		},
		{
			name:  "net.lookup_ip_addr is refused",
			files: map[string]string{"x.rego": "package fsar.x\n\ndeny contains {\"msg\": \"m\"} if {\n\tnet.lookup_ip_addr(\"example.com\")\n}\n"},
			want:  []string{"policies/x.rego:4:", "undefined function net.lookup_ip_addr"},
		},
		{
			name:  "rand.intn is refused",
			files: map[string]string{"x.rego": "package fsar.x\n\ndeny contains {\"msg\": \"m\"} if rand.intn(\"s\", 10) == 1\n"},
			want:  []string{"policies/x.rego:3:", "undefined function rand.intn", "random"},
		},
		{
			name:  "uuid.rfc4122 is refused",
			files: map[string]string{"x.rego": "package fsar.x\n\ndeny contains {\"msg\": uuid.rfc4122(\"s\")} if true\n"},
			want:  []string{"policies/x.rego:3:", "undefined function uuid.rfc4122"},
		},
		{
			name:  "json.match_schema is refused",
			files: map[string]string{"x.rego": "package fsar.x\n\ndeny contains {\"msg\": \"m\"} if json.match_schema({}, {\"$ref\": \"file:///etc/passwd\"})[0]\n"},
			want:  []string{"policies/x.rego:3:", "undefined function json.match_schema", "files"},
		},
		{
			name:  "strict mode: an unused assignment",
			files: map[string]string{"x.rego": "package fsar.x\n\ndeny contains {\"msg\": \"m\"} if {\n\tx := 1\n\tinput.a\n}\n"},
			want:  []string{"policies/x.rego:4:", "x unused"},
		},
		{
			name:  "no packages at all",
			files: map[string]string{"README.md": "not rego"},
			want:  []string{"no policy declares deny, review or warn under package fsar.*"},
		},
		{
			name:  "only helpers",
			files: map[string]string{"lib/h.rego": "package fsar.lib.h\n\nx := 1\n", "h_test.rego": "package fsar.t\n\ndeny contains \"m\" if true\n"},
			want:  []string{"no policy declares deny, review or warn under package fsar.*"},
		},
		{
			name:  "package fsar.config",
			files: map[string]string{"c.rego": "package fsar.config\n\nx := 1\n", "ok.rego": ok},
			want:  []string{"policies/c.rego:1:", "fsar.config", "reserved"},
		},
		{
			name:  "package outside fsar",
			files: map[string]string{"c.rego": "package other\n\ndeny contains \"m\" if true\n", "ok.rego": ok},
			want:  []string{"policies/c.rego:1:", "package other", "under fsar."},
		},
		{
			name:  "a set under fsar.lib",
			files: map[string]string{"lib/l.rego": "package fsar.lib.l\n\ndeny contains \"m\" if true\n", "ok.rego": ok},
			want:  []string{"policies/lib/l.rego:3:", "fsar.lib"},
		},
		{
			name:  "deny as a function",
			files: map[string]string{"f.rego": "package fsar.f\n\ndeny(x) := {\"msg\": x}\n"},
			want:  []string{"policies/f.rego:3:", "is a function"},
		},
		{
			name:  "deny as an object",
			files: map[string]string{"f.rego": "package fsar.f\n\ndeny.a contains \"m\" if true\n"},
			want:  []string{"policies/f.rego:3:", "not an object"},
		},
		{
			name: "custom.level unknown",
			files: map[string]string{"x.rego": regoSrc(
				"package fsar.x", "",
				"# METADATA", "# custom:", "#   id: r", "#   level: block",
				"deny contains \"m\" if true",
			)},
			want: []string{"policies/x.rego:3:", "unknown level \"block\""},
		},
		{
			name: "custom.level disagrees with the set",
			files: map[string]string{"x.rego": regoSrc(
				"package fsar.x", "",
				"# METADATA", "# custom:", "#   id: r", "#   level: warn",
				"deny contains \"m\" if true",
			)},
			want: []string{"policies/x.rego:3:", "custom.level is warn but the rule is in the deny set"},
		},
		{
			name: "custom.id not a string",
			files: map[string]string{"x.rego": regoSrc(
				"package fsar.x", "",
				"# METADATA", "# custom:", "#   id: [1]",
				"deny contains \"m\" if true",
			)},
			want: []string{"policies/x.rego:3:", "custom.id must be a non-empty string"},
		},
		{
			name: "custom.share not a share's name",
			files: map[string]string{"x.rego": regoSrc(
				"package fsar.x", "",
				"# METADATA", "# custom:", "#   id: r", "#   share: Canned Analysis",
				"deny contains \"m\" if true",
			)},
			want: []string{"policies/x.rego:3:", "rule r: custom.share must be a share's name"},
		},
		{
			name: "one rule, two shares",
			files: map[string]string{"x.rego": regoSrc(
				"package fsar.x", "",
				"# METADATA", "# custom:", "#   id: r", "#   share: a",
				"deny contains \"m\" if true", "",
				"# METADATA", "# custom:", "#   id: r", "#   share: b",
				"deny contains \"n\" if true",
			)},
			want: []string{"policies/x.rego:9:", `rule r: share "b" here but "a" at policies/x.rego:7`},
		},
		{
			name:  "data defines data.fsar.config",
			files: map[string]string{"ok.rego": ok},
			opts: func(o *Options) {
				o.Data = map[string]any{"fsar": map[string]any{"config": map[string]any{}}}
			},
			want: []string{"data.fsar.config is reserved"},
		},
		{
			name:  "data overlaps a policy package",
			files: map[string]string{"ok.rego": ok},
			opts: func(o *Options) {
				o.Data = map[string]any{"fsar": map[string]any{"ok": map[string]any{"deny": []any{}}}}
			},
			want: []string{"policies/ok.rego:", "conflict"},
		},
		{
			name:  "zero Now",
			files: map[string]string{"ok.rego": ok},
			opts:  func(o *Options) { o.Now = time.Time{} },
			want:  []string{"Options.Now"},
		},
		{
			name:  "two sources give the same file name",
			files: map[string]string{"ok.rego": ok},
			opts: func(o *Options) {
				o.Sources = append(o.Sources, Source{Name: "policies", FS: memFS(map[string]string{"ok.rego": ok})})
			},
			want: []string{"policies/ok.rego: two policy files have this name"},
		},
		{
			name:  "a source without a file system",
			files: map[string]string{"ok.rego": ok},
			opts:  func(o *Options) { o.Sources = append(o.Sources, Source{Name: "nowhere"}) },
			want:  []string{"nowhere: policy source has no file system"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := optsFor(tt.files)
			if tt.opts != nil {
				tt.opts(&opts)
			}
			e, err := Load(t.Context(), opts)
			if err == nil {
				t.Fatalf("Load succeeded (%d rules), want an error", len(e.Rules()))
			}
			t.Logf("error: %v", err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadErrorIsTyped(t *testing.T) {
	_, err := Load(t.Context(), optsFor(map[string]string{"bad.rego": "package fsar.bad\n\ndeny contains {\"msg\": } if true\n"}))
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("error %T is not a *LoadError", err)
	}
	p := le.Problems[0]
	if p.File != "policies/bad.rego" || p.Line != 3 || p.Column == 0 {
		t.Errorf("problem = %+v, want policies/bad.rego line 3 with a column", p)
	}
}

func TestEvalErrors(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		input ast.Value
		ctx   func(context.Context) context.Context
		want  []string
	}{
		{
			name: "a built-in error fails the evaluation",
			src:  "package fsar.x\n\ndeny contains {\"msg\": \"m\"} if to_number(input.s) > 1\n",
			want: []string{"policies/x.rego:3:", "to_number"},
		},
		{
			name: "an element without msg",
			src:  "package fsar.x\n\ndeny contains {\"rule\": \"r\"} if true\n",
			want: []string{"policies/x.rego:3:", "data.fsar.x.deny", "no string msg"},
		},
		{
			name: "a msg that is not a string",
			src:  "package fsar.x\n\nwarn contains {\"msg\": 42} if true\n",
			want: []string{"no string msg"},
		},
		{
			name: "an empty msg",
			src:  "package fsar.x\n\nwarn contains {\"msg\": \" \"} if true\n",
			want: []string{"empty msg"},
		},
		{
			name: "a rule that is not a string",
			src:  "package fsar.x\n\nwarn contains {\"msg\": \"m\", \"rule\": 1} if true\n",
			want: []string{"rule must be a string"},
		},
		{
			name: "an element that is a number",
			src:  "package fsar.x\n\nreview contains 7 if true\n",
			want: []string{"must be an object with a msg, got number"},
		},
		{
			name: "a set that is an array",
			src:  "package fsar.x\n\ndeny := [{\"msg\": \"m\"}]\n",
			want: []string{"data.fsar.x.deny must be a set of objects, got array"},
		},
		{
			name: "conflicting values of a complete rule",
			src:  "package fsar.x\n\ndeny := {\"a\"} if true\n\ndeny := {\"b\"} if true\n",
			want: []string{"policies/x.rego:", "conflict"},
		},
		{
			name:  "no input",
			src:   "package fsar.x\n\ndeny contains \"m\" if input.a\n",
			input: nil,
			want:  []string{"no input"},
		},
		{
			name: "a cancelled context",
			src:  "package fsar.x\n\ndeny contains \"m\" if input.a\n",
			ctx: func(ctx context.Context) context.Context {
				ctx, cancel := context.WithCancel(ctx)
				cancel()
				return ctx
			},
			want: []string{"cancel"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustLoad(t, map[string]string{"x.rego": tt.src})
			in := tt.input
			if in == nil && tt.name != "no input" {
				in = value(t, map[string]any{"s": "x", "a": true})
			}
			ctx := t.Context()
			if tt.ctx != nil {
				ctx = tt.ctx(ctx)
			}
			fs, err := e.Eval(ctx, in)
			if err == nil {
				t.Fatalf("Eval gave %+v, want an error", fs)
			}
			if fs != nil {
				t.Errorf("Eval gave findings %+v with its error", fs)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			var ee *EvalError
			if in != nil && !errors.As(err, &ee) {
				t.Errorf("error %T is not an *EvalError", err)
			}
		})
	}
}

func TestEvalErrorUnwraps(t *testing.T) {
	e := mustLoad(t, map[string]string{"x.rego": "package fsar.x\n\ndeny contains \"m\" if to_number(input.s) > 1\n"})
	_, err := e.Eval(t.Context(), value(t, map[string]any{"s": "x"}))
	var te *topdown.Error
	if !errors.As(err, &te) || te.Code != topdown.BuiltinErr {
		t.Fatalf("error %v does not unwrap to a topdown built-in error", err)
	}
	var ee *EvalError
	if !errors.As(err, &ee) || ee.File != "policies/x.rego" || ee.Line != 3 {
		t.Errorf("EvalError = %+v, want policies/x.rego line 3", ee)
	}
}

func TestEvalConcurrent(t *testing.T) {
	e := loadBundle(t)
	inputs := []ast.Value{
		realisticInput(t),
		value(t, map[string]any{"severity": 50, "block_execution": true, "markers": []any{"fsar_block"}, "risks": []any{"a"}, "mitigations": []any{}}),
		value(t, map[string]any{"severity": 30, "missing": []any{"risks", "severity"}, "markers": []any{"fsar_review"}, "risks": []any{}, "mitigations": []any{}}),
	}
	want := make([][]Finding, len(inputs))
	for i, in := range inputs {
		fs, err := e.Eval(t.Context(), in)
		if err != nil {
			t.Fatalf("Eval: %v", err)
		}
		want[i] = fs
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 32 {
		wg.Go(func() {
			for n := range 20 {
				i := (g + n) % len(inputs)
				got, err := e.Eval(t.Context(), inputs[i])
				if err != nil {
					errs <- err
					return
				}
				if diff := cmp.Diff(want[i], got); diff != "" {
					errs <- fmt.Errorf("goroutine %d input %d (-want +got):\n%s", g, i, diff)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestDigest(t *testing.T) {
	base := map[string]string{
		"a.rego":      "package fsar.a\n\ndeny contains \"m\" if input.a\n",
		"b.rego":      "package fsar.b\n\nwarn contains \"m\" if input.b\n",
		"a_test.rego": "package fsar.a_test\n\ntest_a if true\n",
	}
	digestOf := func(t *testing.T, files map[string]string, edit func(*Options)) string {
		t.Helper()
		opts := optsFor(files)
		opts.Config = map[string]any{"x": 1, "y": []any{"a", "b"}}
		if edit != nil {
			edit(&opts)
		}
		e, err := Load(t.Context(), opts)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		return e.Digest()
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		m[k] = v
		return m
	}
	d0 := digestOf(t, base, nil)
	if !strings.HasPrefix(d0, "sha256:") || len(d0) != len("sha256:")+64 {
		t.Fatalf("digest %q is not sha256:<64 hex>", d0)
	}
	same := []struct {
		name  string
		files map[string]string
		edit  func(*Options)
	}{
		{name: "loaded again", files: base},
		{name: "a test file changed", files: with("a_test.rego", "package fsar.a_test\n\ntest_b if true\n")},
		{name: "another time", files: base, edit: func(o *Options) { o.Now = testNow.Add(time.Hour) }},
		{name: "config with float numbers", files: base, edit: func(o *Options) { o.Config = map[string]any{"y": []any{"a", "b"}, "x": 1.0} }},
	}
	for _, tt := range same {
		t.Run("same/"+tt.name, func(t *testing.T) {
			if d := digestOf(t, tt.files, tt.edit); d != d0 {
				t.Errorf("digest changed: %s, want %s", d, d0)
			}
		})
	}
	differ := []struct {
		name  string
		files map[string]string
		edit  func(*Options)
	}{
		{name: "a module changed", files: with("b.rego", "package fsar.b\n\nwarn contains \"n\" if input.b\n")},
		{name: "a module added", files: with("c.rego", "package fsar.c\n\nwarn contains \"n\" if input.c\n")},
		{name: "config changed", files: base, edit: func(o *Options) { o.Config = map[string]any{"x": 2, "y": []any{"a", "b"}} }},
		{name: "data added", files: base, edit: func(o *Options) { o.Data = map[string]any{"owners": []any{"alice"}} }},
		{name: "source renamed", files: base, edit: func(o *Options) { o.Sources[0].Name = "other" }},
	}
	for _, tt := range differ {
		t.Run("differ/"+tt.name, func(t *testing.T) {
			if d := digestOf(t, tt.files, tt.edit); d == d0 {
				t.Errorf("digest did not change: %s", d)
			}
		})
	}
}

func TestSources(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, src string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("extra/sub/deep.rego", "package fsar.deep\n\nwarn contains \"deep\" if true\n")
	write("extra/.hidden/skip.rego", "package fsar.hidden\n\nwarn contains \"hidden\" if true\n")
	write("extra/notes.txt", "not rego")
	write("single.rego", "package fsar.single\n\nwarn contains \"single\" if true\n")
	write("extra/bad.rego", "package fsar.bad\n\nwarn contains \"bad\" if to_number(input.x) > 0\n")

	e, err := Load(t.Context(), Options{
		Sources: []Source{
			{Name: "policies", FS: memFS(map[string]string{"a.rego": "package fsar.a\n\nwarn contains \"a\" if true\n"})},
			{Name: "./my policies", FS: os.DirFS(dir), Root: "extra"},
			{Name: dir, FS: os.DirFS(dir), Root: "single.rego"},
		},
		Now: testNow,
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	_, err = e.Eval(t.Context(), value(t, map[string]any{"x": "nan"}))
	if err == nil || !strings.HasPrefix(err.Error(), "my policies/bad.rego:3:") {
		t.Errorf("error %v does not start with the prefixed name my policies/bad.rego:3:", err)
	}
	fs, err := e.Eval(t.Context(), value(t, map[string]any{"x": "1"}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.Msg)
	}
	if diff := cmp.Diff([]string{"a", "bad", "deep", "single"}, got); diff != "" {
		t.Errorf("msgs (-want +got):\n%s", diff)
	}

	files, err := readSources([]Source{
		{Name: "./my policies", FS: os.DirFS(dir), Root: "extra"},
		{Name: "/abs/dir/", FS: os.DirFS(dir), Root: "single.rego"},
		{FS: os.DirFS(dir)},
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.name)
	}
	wantNames := []string{"/abs/dir/single.rego", "extra/bad.rego", "extra/sub/deep.rego", "my policies/bad.rego", "my policies/sub/deep.rego", "single.rego"}
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("file names (-want +got):\n%s", diff)
	}
}

func TestSecretNotLeaked(t *testing.T) {
	const secret = "s3cr3t-VALUE-9f8e7d"
	t.Setenv("FSAR_POLICY_TEST_SECRET", secret)
	attempts := map[string]string{
		"env":     "opa.runtime().env.FSAR_POLICY_TEST_SECRET",
		"runtime": "opa.runtime()",
		"http":    `http.send({"method": "GET", "url": "http://127.0.0.1:1"})`,
	}
	for name, expr := range attempts {
		t.Run(name, func(t *testing.T) {
			policy := "package fsar.leak\n\ndeny contains {\"msg\": sprintf(\"%v\", [" + expr + "])} if true\n"
			_, err := Load(t.Context(), optsFor(map[string]string{"leak.rego": policy}))
			if err == nil {
				t.Fatal("Load succeeded, want a compile error")
			}
			if !strings.Contains(err.Error(), "policies/leak.rego:3:") || !strings.Contains(err.Error(), "undefined function") {
				t.Errorf("error %q is not a located compile error", err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error contains the secret: %q", err)
			}

			test := "package fsar.leak_test\n\ntest_leak if {\n\tprint(" + expr + ")\n}\n"
			rep, err := Test(t.Context(), TestOptions{Sources: []Source{{Name: "policies", FS: memFS(map[string]string{
				"ok.rego":        "package fsar.ok\n\ndeny contains \"m\" if false\n",
				"leak_test.rego": test,
			})}}})
			if err == nil {
				t.Fatalf("Test succeeded: %+v", rep)
			}
			if !strings.Contains(err.Error(), "policies/leak_test.rego:4:") {
				t.Errorf("Test error %q is not located in the test file", err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("Test error contains the secret: %q", err)
			}
		})
	}
	// Nothing in a finding carries the environment either: a policy that
	// reads every input and data value sees no environment variable.
	e := mustLoad(t, map[string]string{"x.rego": "package fsar.x\n\nwarn contains {\"msg\": sprintf(\"%v %v\", [input, data.fsar.config])} if true\n"})
	fs, err := e.Eval(t.Context(), realisticInput(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1", len(fs))
	}
	for _, f := range fs {
		if strings.Contains(fmt.Sprintf("%+v", f), secret) {
			t.Errorf("finding contains the secret: %+v", f)
		}
	}
}

func TestMergeData(t *testing.T) {
	dst := map[string]any{}
	if err := MergeData(dst, map[string]any{"a": map[string]any{"b": 1}, "owners": []any{"x"}}, "one.json"); err != nil {
		t.Fatal(err)
	}
	if err := MergeData(dst, map[string]any{"a": map[string]any{"c": 2}}, "two.yaml"); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"a": map[string]any{"b": 1, "c": 2}, "owners": []any{"x"}}
	if diff := cmp.Diff(want, dst); diff != "" {
		t.Errorf("merged (-want +got):\n%s", diff)
	}
	tests := []struct {
		name string
		doc  map[string]any
		want string
	}{
		{name: "a leaf twice", doc: map[string]any{"a": map[string]any{"b": 3}}, want: "three.json: data.a.b is defined twice"},
		{name: "an object over a leaf", doc: map[string]any{"owners": map[string]any{}}, want: "three.json: data.owners is defined twice"},
		{name: "odd keys are quoted", doc: map[string]any{"a": map[string]any{"b": 1, "c d": 1}}, want: "three.json: data.a.b is defined twice"},
		{name: "reserved config", doc: map[string]any{"fsar": map[string]any{"config": 1}}, want: "three.json: data.fsar.config is reserved"},
		{name: "fsar not an object", doc: map[string]any{"fsar": 1}, want: "three.json: data.fsar must be an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := MergeData(dst, tt.doc, "three.json")
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestJoinPath(t *testing.T) {
	for _, tt := range []struct{ at, k, want string }{
		{"data", "a", "data.a"},
		{"data.a", "c d", `data.a["c d"]`},
		{"data", "x.y", `data["x.y"]`},
		{"data", "", `data[""]`},
	} {
		if got := joinPath(tt.at, tt.k); got != tt.want {
			t.Errorf("joinPath(%q, %q) = %q, want %q", tt.at, tt.k, got, tt.want)
		}
	}
}

func TestLevel(t *testing.T) {
	if Warn >= Review || Review >= Deny {
		t.Error("levels are not ordered warn < review < deny")
	}
	for _, l := range Levels {
		got, err := ParseLevel(l.String())
		if err != nil || got != l {
			t.Errorf("ParseLevel(%q) = %v, %v", l.String(), got, err)
		}
		b, err := l.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Level
		if err := back.UnmarshalText(b); err != nil || back != l {
			t.Errorf("text round trip of %v gave %v, %v", l, back, err)
		}
	}
	if got := []string{Deny.String(), Review.String(), Warn.String()}; !cmp.Equal(got, []string{"deny", "review", "warn"}) {
		t.Errorf("names = %v", got)
	}
	if _, err := ParseLevel("block"); err == nil {
		t.Error("ParseLevel(block) succeeded")
	}
	if _, err := Level(0).MarshalText(); err == nil {
		t.Error("the zero level marshals")
	}
}

func TestRemovedBuiltins(t *testing.T) {
	caps := sandboxCapabilities()
	kept := map[string]bool{}
	for _, b := range caps.Builtins {
		kept[b.Name] = true
	}
	for _, name := range RemovedBuiltins() {
		if kept[name] {
			t.Errorf("%s is still in the sandbox capabilities", name)
		}
		if _, known := ast.BuiltinMap[name]; !known {
			t.Errorf("%s is not an OPA built-in (renamed?)", name)
		}
	}
	for _, name := range []string{"time.now_ns", "uuid.parse", "sprintf", "trace", "regex.match", "time.parse_rfc3339_ns"} {
		if !kept[name] {
			t.Errorf("%s was removed from the sandbox", name)
		}
	}
	if caps.AllowNet == nil || len(caps.AllowNet) != 0 {
		t.Errorf("AllowNet = %#v, want an empty non-nil list", caps.AllowNet)
	}
	// Every non-deterministic built-in is either removed or known to be
	// safe: a new one in a future OPA must be looked at.
	safe := map[string]bool{"time.now_ns": true, "io.jwt.decode_verify": true}
	for _, b := range caps.Builtins {
		if b.Nondeterministic && !safe[b.Name] {
			t.Errorf("non-deterministic built-in %s is allowed: decide whether the sandbox keeps it", b.Name)
		}
	}
}

// TestRuleShares: custom.share says which share of reports a rule's
// findings count toward; the default bundle declares the shares a sweep
// follows.
func TestRuleShares(t *testing.T) {
	e, err := Load(t.Context(), Options{Sources: []Source{defaultSource()}, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	shares := map[string]string{}
	for _, r := range e.Rules() {
		if r.Share != "" {
			shares[r.ID] = r.Share
		}
	}
	want := map[string]string{"canned-risks": "canned", "canned-mitigations": "canned", "stale-report": "stale", "under-rated-irreversible": "under_rated_irreversible"}
	if diff := cmp.Diff(want, shares); diff != "" {
		t.Errorf("shares (-want +got):\n%s", diff)
	}
	for _, name := range []string{"canned", "a", "under_rated_irreversible", "x1"} {
		if !ValidShareName(name) {
			t.Errorf("%q refused", name)
		}
	}
	for _, name := range []string{"", "Canned", "1a", "_a", "a-b", "a b", strings.Repeat("a", 41)} {
		if ValidShareName(name) {
			t.Errorf("%q accepted", name)
		}
	}
}

// TestDocument: a data document is evaluated without input, with the
// configuration, and comes back in JSON's Go types; an undefined one is
// not an error; one that runs past a limit is.
func TestDocument(t *testing.T) {
	e, err := Load(t.Context(), Options{Sources: []Source{defaultSource()}, Now: testNow, Config: map[string]any{"review_threshold": 20}})
	if err != nil {
		t.Fatal(err)
	}
	v, ok, err := e.Document(t.Context(), "data.fsar.lib.sweep.severity_scale")
	want := map[string]any{"min": json.Number("0"), "max": json.Number("75"), "review": json.Number("20"), "block": json.Number("45")}
	if err != nil || !ok || !cmp.Equal(v, any(want)) {
		t.Errorf("severity_scale = %#v, %v, %v", v, ok, err)
	}
	if v, ok, err := e.Document(t.Context(), "data.fsar.lib.nothing"); ok || err != nil || v != nil {
		t.Errorf("undefined document: %v, %v, %v", v, ok, err)
	}
	if _, _, err := e.Document(t.Context(), "input.x"); err == nil {
		t.Error("input.x evaluated as a data document")
	}
	// A document that never ends stops at the evaluation deadline.
	var xs strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&xs, "%d, ", i)
	}
	opts := optsFor(map[string]string{"x.rego": regoSrc(
		"package fsar.x", "",
		"deny contains \"m\" if false", "",
		"xs := ["+xs.String()+"0]", "",
		"slow := count([1 | some a in xs; some b in xs; some c in xs; a + b + c < 0])",
	)})
	opts.EvalTimeout = 100 * time.Millisecond
	slow, err := Load(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := slow.Document(t.Context(), "data.fsar.x.slow"); !errors.Is(err, ErrEvalTimeout) {
		t.Errorf("a document that never ends: %v, want the evaluation deadline", err)
	}
}
