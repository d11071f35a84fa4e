package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fsar-gate/fsar/internal/gate"
)

// TestSweepUntrustedFiles: shards given to fsar sweep merge and baselines
// given to --baseline that do not agree with themselves exit 2 with a
// message naming the file and what is wrong (issue 12, defect 11).
func TestSweepUntrustedFiles(t *testing.T) {
	dir := sweepFolder(t)
	tmp := t.TempDir()
	out, errOut, code := run(t, false, nil, "sweep", "--now", "2026-01-03T00:00:00Z", "--format", "json", "--fail-on", "never", "--shard", "1/1", dir)
	if code != 0 {
		t.Fatalf("sweep --shard 1/1: %d %s", code, errOut)
	}
	var shard map[string]any
	if err := json.Unmarshal([]byte(out), &shard); err != nil {
		t.Fatal(err)
	}
	whole, errOut, code := run(t, false, nil, "sweep", "--now", "2026-01-03T00:00:00Z", "--format", "json", "--fail-on", "never", dir)
	if code != 0 {
		t.Fatalf("sweep: %d %s", code, errOut)
	}
	write := func(name string, v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(tmp, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	edit := func(src string, f func(m map[string]any)) map[string]any {
		var m map[string]any
		if err := json.Unmarshal([]byte(src), &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		return m
	}
	if _, errOut, code := run(t, false, nil, "sweep", "merge", "--fail-on", "never", write("good.json", shard)); code != 0 {
		t.Fatalf("the shard as written: %d %s", code, errOut)
	}
	for _, tc := range []struct {
		name string
		m    map[string]any
		want string
	}{
		{"negative shard count", edit(out, func(m map[string]any) { m["shard"] = map[string]any{"index": 1, "count": -5} }), "shard 1/-5"},
		{"huge shard count", edit(out, func(m map[string]any) { m["shard"] = map[string]any{"index": 1, "count": 3e9} }), "shard 1/3000000000"},
		{"counts off", edit(out, func(m map[string]any) { m["count"].(map[string]any)["pass"] = 7 }), "count.reports is 1"},
		{"policy digest", edit(out, func(m map[string]any) {
			m["decided_by"].(map[string]any)["policy_digest"] = "[x](https://evil.example)"
		}), "decided_by.policy_digest"},
	} {
		t.Run("merge "+tc.name, func(t *testing.T) {
			path := write("shard.json", tc.m)
			_, errOut, code := run(t, false, nil, "sweep", "merge", path)
			if code != ExitError || !strings.Contains(errOut, path) || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2, the file and %q", code, errOut, tc.want)
			}
		})
	}
	baseline := edit(whole, func(m map[string]any) {
		m["measures"].([]any)[0] = map[string]any{"name": "block", "reports": -5, "of": 0, "percent": 1e308}
	})
	path := write("baseline.json", baseline)
	for _, args := range [][]string{
		{"sweep", "--baseline", path, dir},
		{"sweep", "merge", "--baseline", path, write("good.json", shard)},
	} {
		_, errOut, code := run(t, false, nil, args...)
		if code != ExitError || !strings.Contains(errOut, "--baseline: "+path) || !strings.Contains(errOut, "measures[0] (block)") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and the baseline's bad share", args, code, errOut)
		}
	}
}

// TestPublishUntrustedDecidedBy: a result whose decided_by would put
// markdown into the comment exits 2 before anything is sent (issue 12,
// defect 8).
func TestPublishUntrustedDecidedBy(t *testing.T) {
	dir := t.TempDir()
	fake, env, pubHead := pubFake(t, dir, false)
	path := writeResult(t, dir, pubHead, 0)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var res gate.Result
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	res.DecidedBy.FSARVersion = "dev ![x](https://evil.example/p.png)"
	if b, err = json.Marshal(&res); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runWith(t, env, "publish", "--github-pace", "1ms", path, "audit/reports")
	if code != ExitError || !strings.Contains(stderr, "decided_by.fsar_version") {
		t.Fatalf("exit %d, stderr %q; want 2 and the field", code, stderr)
	}
	if len(fake.Comments(7)) != 0 {
		t.Fatal("posted")
	}
}
