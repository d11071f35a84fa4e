package actiontest

import (
	"strings"
	"testing"
)

// TestCheckLists: the paths and policy inputs take one path per line, so
// that a path may hold spaces, and words on a single line; nothing in
// them is expanded by the shell.
func TestCheckLists(t *testing.T) {
	r := newRunner(t)
	// A stand-in fsar that prints each argument it gets in brackets.
	r.addTool("fsar", `for a in "$@"; do printf '[%s]' "$a"; done; echo`+"\n")
	const fixed = "[check][--format][github][--output][json=RUNNER_TEMP/fsar/fsar-result.json][--output][sarif=RUNNER_TEMP/fsar/fsar.sarif][--output][vsa=RUNNER_TEMP/fsar/fsar.intoto.jsonl][--github-output][--fail-on][review]"
	for _, c := range []struct {
		name, paths, policy string
		want                string
	}{
		{"defaults", "", "", "[--][.]"},
		{"one path", "audit/reports", "", "[--][audit/reports]"},
		{"words on one line", "audit/reports  more/reports", "policy extra", "[--policy][policy][--policy][extra][--][audit/reports][more/reports]"},
		{"one per line, with spaces", "audit/my reports\n  other reports  \n\n", "policy/with space\npolicy/two\n", "[--policy][policy/with space][--policy][policy/two][--][audit/my reports][other reports]"},
		{"CRLF lines", "a b\r\nc\r\n", "", "[--][a b][c]"},
		{"no expansion", "* $HOME `id` $(id)", "", "[--][*][$HOME][`id`][$(id)]"},
		{"no expansion, one per line", "*\n$(id) x\n", "", "[--][*][$(id) x]"},
		{"only blank lines", "\n  \n", "", "[--][.]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			temp := t.TempDir()
			res := r.run("check.sh", "INPUT_PATHS="+c.paths, "INPUT_POLICY="+c.policy, "RUNNER_TEMP="+temp)
			if res.code != 0 {
				t.Fatalf("check.sh exited %d:\n%s", res.code, res.out)
			}
			got := strings.ReplaceAll(strings.TrimSpace(res.out), temp, "RUNNER_TEMP")
			if want := fixed + c.want; got != want {
				t.Errorf("fsar got\n%s\nwant\n%s", got, want)
			}
		})
	}
}
