package actiontest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// root is the repository's root, from this package's folder.
var root = filepath.Join("..", "..")

// release is what a release's download folder serves: its tag and files
// (the archive for this machine and checksums.txt, at least).
type release struct {
	tag   string
	asset string // the archive for this machine
	files map[string][]byte
}

var (
	releaseOnce sync.Once
	theRelease  release
	releaseErr  error
)

// runnerOS and runnerArch are the runner's names for this machine.
func runnerOS() string {
	return map[string]string{"linux": "Linux", "darwin": "macOS", "windows": "Windows"}[runtime.GOOS]
}

func runnerArch() string {
	return map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
}

// snapshot is the release the tests serve: a GoReleaser snapshot from
// FSAR_DIST, or fsar built and packed here the way GoReleaser packs it.
func snapshot(t *testing.T) release {
	t.Helper()
	releaseOnce.Do(func() {
		if dist := os.Getenv("FSAR_DIST"); dist != "" {
			theRelease, releaseErr = fromDist(dist)
		} else {
			theRelease, releaseErr = build(t.TempDir())
		}
	})
	if releaseErr != nil {
		t.Fatal(releaseErr)
	}
	return theRelease
}

// fromDist reads a GoReleaser dist folder: metadata.json names the
// version; every file at its top is served.
func fromDist(dist string) (release, error) {
	raw, err := os.ReadFile(filepath.Join(dist, "metadata.json"))
	if err != nil {
		return release{}, err
	}
	var meta struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return release{}, fmt.Errorf("%s/metadata.json: %w", dist, err)
	}
	if meta.Version == "" {
		return release{}, fmt.Errorf("%s/metadata.json names no version", dist)
	}
	r := release{tag: "v" + meta.Version, files: map[string][]byte{}}
	r.asset = fmt.Sprintf("fsar_%s_%s_%s.tar.gz", meta.Version, runtime.GOOS, runtime.GOARCH)
	entries, err := os.ReadDir(dist)
	if err != nil {
		return release{}, err
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			if r.files[e.Name()], err = os.ReadFile(filepath.Join(dist, e.Name())); err != nil {
				return release{}, err
			}
		}
	}
	if r.files[r.asset] == nil || r.files["checksums.txt"] == nil {
		return release{}, fmt.Errorf("%s has no %s or no checksums.txt", dist, r.asset)
	}
	return r, nil
}

// build builds fsar with a release's version stamped in and packs it, with
// LICENSE and README.md, as GoReleaser names and packs a release.
func build(dir string) (release, error) {
	const tag = "v0.0.0-test"
	bin := filepath.Join(dir, "fsar")
	cmd := exec.Command("go", "build", "-o", bin,
		"-ldflags", "-X github.com/fsar-gate/fsar/internal/buildinfo.Version="+tag+
			" -X github.com/fsar-gate/fsar/internal/buildinfo.Commit=0123456789abcdef0123456789abcdef01234567",
		"./cmd/fsar")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return release{}, fmt.Errorf("go build: %w\n%s", err, out)
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, f := range []struct{ name, path string }{{"fsar", bin}, {"LICENSE", filepath.Join(root, "LICENSE")}, {"README.md", filepath.Join(root, "README.md")}} {
		data, err := os.ReadFile(f.path)
		if err != nil {
			return release{}, err
		}
		mode := int64(0o644)
		if f.name == "fsar" {
			mode = 0o755
		}
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: mode, Size: int64(len(data))}); err != nil {
			return release{}, err
		}
		if _, err := tw.Write(data); err != nil {
			return release{}, err
		}
	}
	if err := errors.Join(tw.Close(), gz.Close()); err != nil {
		return release{}, err
	}
	asset := fmt.Sprintf("fsar_%s_%s_%s.tar.gz", strings.TrimPrefix(tag, "v"), runtime.GOOS, runtime.GOARCH)
	other := fmt.Sprintf("fsar_%s_windows_arm64.zip", strings.TrimPrefix(tag, "v"))
	return release{tag: tag, asset: asset, files: map[string][]byte{
		asset: buf.Bytes(),
		"checksums.txt": []byte(sum(buf.Bytes()) + "  " + asset + "\n" +
			sum([]byte("another archive")) + "  " + other + "\n"),
	}}, nil
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// server serves releases at /<tag>/<file> on the loopback address and
// counts the requests it gets.
type server struct {
	*httptest.Server
	requests atomic.Int64
}

func serve(t *testing.T, releases ...release) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		for _, rel := range releases {
			if name, ok := strings.CutPrefix(r.URL.Path, "/"+rel.tag+"/"); ok {
				if data, ok := rel.files[name]; ok {
					_, _ = w.Write(data)
					return
				}
			}
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// runner is one job's environment: its tool cache survives between runs
// of the script when a test reuses the runner.
type runner struct {
	t         *testing.T
	toolCache string
	bin       string // the PATH the script gets: the tools it uses, no gh, no go
}

// tools are the commands install.sh and check.sh use.
var tools = []string{"bash", "curl", "tar", "gzip", "sha256sum", "shasum", "awk", "cut", "tr", "wc", "head",
	"cat", "mkdir", "mktemp", "rm", "mv", "chmod", "dirname", "unzip", "env", "git"}

func newRunner(t *testing.T) *runner {
	t.Helper()
	for _, need := range []string{"bash", "curl", "tar", "sha256sum"} {
		if _, err := exec.LookPath(need); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed", need)
			}
			t.Skipf("%s is not installed", need)
		}
	}
	r := &runner{t: t, toolCache: t.TempDir(), bin: t.TempDir()}
	for _, tool := range tools {
		if path, err := exec.LookPath(tool); err == nil {
			if err := os.Symlink(path, filepath.Join(r.bin, tool)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return r
}

// addTool puts a script named name on the runner's PATH.
func (r *runner) addTool(name, script string) {
	r.t.Helper()
	if err := os.WriteFile(filepath.Join(r.bin, name), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		r.t.Fatal(err)
	}
}

// run is one run of a script.
type run struct {
	out    string // standard output and error
	code   int
	path   string // what the script appended to GITHUB_PATH
	output string // what it appended to GITHUB_OUTPUT
}

func (r *runner) run(script string, env ...string) run {
	r.t.Helper()
	temp := r.t.TempDir()
	ghPath := filepath.Join(temp, "github_path")
	ghOutput := filepath.Join(temp, "github_output")
	for _, f := range []string{ghPath, ghOutput} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	abs, err := filepath.Abs(filepath.Join(root, ".github", "action", script))
	if err != nil {
		r.t.Fatal(err)
	}
	actionPath, _ := filepath.Abs(root)
	cmd := exec.Command(filepath.Join(r.bin, "bash"), abs)
	cmd.Env = append([]string{
		"PATH=" + r.bin,
		"HOME=" + temp,
		"RUNNER_OS=" + runnerOS(),
		"RUNNER_ARCH=" + runnerArch(),
		"RUNNER_TOOL_CACHE=" + r.toolCache,
		"RUNNER_TEMP=" + temp,
		"GITHUB_PATH=" + ghPath,
		"GITHUB_OUTPUT=" + ghOutput,
		"FSAR_ACTION_PATH=" + actionPath,
	}, env...)
	out, err := cmd.CombinedOutput()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		r.t.Fatal(err)
	}
	path, _ := os.ReadFile(ghPath)
	output, _ := os.ReadFile(ghOutput)
	return run{out: string(out), code: code, path: string(path), output: string(output)}
}

// installed checks a run that installed rel: exit 0, exactly one folder on
// PATH, and the fsar there names the tag.
func (r *runner) installed(res run, rel release) string {
	r.t.Helper()
	if res.code != 0 {
		r.t.Fatalf("install.sh exited %d:\n%s", res.code, res.out)
	}
	dirs := strings.Split(strings.TrimSuffix(res.path, "\n"), "\n")
	want := filepath.Join(r.toolCache, "fsar", strings.TrimPrefix(rel.tag, "v"), strings.ToLower(runnerArch()))
	if len(dirs) != 1 || dirs[0] != want {
		r.t.Fatalf("GITHUB_PATH = %q, want the one line %q\n%s", res.path, want, res.out)
	}
	out, err := exec.Command(filepath.Join(dirs[0], "fsar"), "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "fsar "+rel.tag+"\n") {
		r.t.Fatalf("the installed fsar version: %v\n%s", err, out)
	}
	if !strings.Contains(res.output, "version="+rel.tag+"\n") {
		r.t.Errorf("GITHUB_OUTPUT = %q, want version=%s", res.output, rel.tag)
	}
	return dirs[0]
}

// failed checks a run that must fail: exit 1, an ::error line saying
// wantErr, nothing on PATH and nothing left in the tool cache.
func (r *runner) failed(res run, wantErr string) {
	r.t.Helper()
	if res.code != 1 {
		r.t.Errorf("install.sh exited %d, want 1:\n%s", res.code, res.out)
	}
	var errLines []string
	for _, line := range strings.Split(res.out, "\n") {
		if strings.HasPrefix(line, "::error ") {
			errLines = append(errLines, line)
		} else if strings.HasPrefix(line, "::") {
			r.t.Errorf("a workflow command other than the ::error: %q", line)
		}
	}
	if len(errLines) != 1 || !strings.Contains(errLines[0], wantErr) {
		r.t.Errorf("want one ::error line saying %q, got:\n%s", wantErr, res.out)
	}
	if res.path != "" {
		r.t.Errorf("GITHUB_PATH = %q after a failure, want nothing", res.path)
	}
	var left []string
	_ = filepath.WalkDir(r.toolCache, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, path)
		}
		return nil
	})
	if len(left) > 0 {
		r.t.Errorf("the tool cache holds %q after a failure", left)
	}
}

func TestInstallAndReuse(t *testing.T) {
	rel := snapshot(t)
	srv := serve(t, rel)
	r := newRunner(t)
	env := []string{"FSAR_VERSION=" + rel.tag, "FSAR_RELEASE_URL=" + srv.URL}

	first := r.run("install.sh", env...)
	dir := r.installed(first, rel)
	if got := srv.requests.Load(); got != 2 {
		t.Errorf("the first install made %d requests, want 2 (checksums.txt and the archive)", got)
	}
	for _, want := range []string{"sha256 of " + rel.asset + " verified", "build provenance not verified: gh or GH_TOKEN is missing"} {
		if !strings.Contains(first.out, want) {
			t.Errorf("the first install does not say %q:\n%s", want, first.out)
		}
	}
	for _, f := range []string{"LICENSE", "README.md"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("the archive's %s: %v", f, err)
		}
	}

	second := r.run("install.sh", env...)
	r.installed(second, rel)
	if got := srv.requests.Load(); got != 2 {
		t.Errorf("the second install made %d more requests, want none", got-2)
	}
	if !strings.Contains(second.out, "from the tool cache") {
		t.Errorf("the second install does not say it used the tool cache:\n%s", second.out)
	}

	// A binary changed in the cache is not reused: installed again.
	if err := os.WriteFile(filepath.Join(dir, "fsar"), []byte("#!/bin/sh\necho fsar "+rel.tag+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	third := r.run("install.sh", env...)
	r.installed(third, rel)
	if got := srv.requests.Load(); got != 4 || !strings.Contains(third.out, "::warning title=fsar install::the tool cache's fsar") {
		t.Errorf("a changed cached binary: %d requests in all (want 4), output:\n%s", got, third.out)
	}
}

// TestInstallByDefaultVersion: with no version, the action installs the
// release it is used at, or the one recorded with it.
func TestInstallByDefaultVersion(t *testing.T) {
	rel := snapshot(t)
	srv := serve(t, rel)
	r := newRunner(t)
	r.installed(r.run("install.sh", "FSAR_ACTION_REF="+rel.tag, "FSAR_RELEASE_URL="+srv.URL), rel)

	action := t.TempDir()
	if err := os.MkdirAll(filepath.Join(action, ".github", "action"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(action, ".github", "action", "version"), []byte(rel.tag+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r2 := newRunner(t)
	r2.installed(r2.run("install.sh", "FSAR_ACTION_REF=v1", "FSAR_ACTION_PATH="+action, "FSAR_RELEASE_URL="+srv.URL), rel)
}

func TestInstallRefuses(t *testing.T) {
	rel := snapshot(t)
	flipped := bytes.Clone(rel.files[rel.asset])
	flipped[len(flipped)/2] ^= 0xff
	tampered := release{tag: rel.tag, asset: rel.asset, files: map[string][]byte{
		rel.asset: flipped, "checksums.txt": rel.files["checksums.txt"],
	}}
	wrongLine := release{tag: rel.tag, asset: rel.asset, files: map[string][]byte{
		rel.asset: rel.files[rel.asset], "checksums.txt": []byte(sum([]byte("not it")) + "  " + rel.asset + "\n"),
	}}
	noLine := release{tag: rel.tag, asset: rel.asset, files: map[string][]byte{
		rel.asset: rel.files[rel.asset], "checksums.txt": []byte(sum(rel.files[rel.asset]) + "  fsar_other.tar.gz\n"),
	}}
	twoLines := release{tag: rel.tag, asset: rel.asset, files: map[string][]byte{
		rel.asset: rel.files[rel.asset], "checksums.txt": []byte(sum(rel.files[rel.asset]) + "  " + rel.asset + "\n" + sum(nil) + "  " + rel.asset + "\n"),
	}}
	noChecksums := release{tag: rel.tag, asset: rel.asset, files: map[string][]byte{rel.asset: rel.files[rel.asset]}}
	for _, c := range []struct {
		name    string
		served  release
		env     []string
		wantErr string
	}{
		{"tampered archive", tampered, nil, "checksum mismatch for " + rel.asset},
		{"wrong checksum line", wrongLine, nil, "checksum mismatch for " + rel.asset},
		{"no checksum line", noLine, nil, "checksums.txt of " + rel.tag + " has no line for " + rel.asset},
		{"two checksum lines", twoLines, nil, "no single well-formed sha256"},
		{"no checksums.txt", noChecksums, nil, "checksums.txt of " + rel.tag + " not found"},
		{"404", rel, []string{"FSAR_VERSION=v9.9.9"}, "(HTTP 404): is v9.9.9 released"},
		{"bad version: no v", rel, []string{"FSAR_VERSION=1.2.3"}, "version '1.2.3' is neither a release such as v1.2.3 nor 'source'"},
		{"bad version: two parts", rel, []string{"FSAR_VERSION=v1.2"}, "version 'v1.2' is neither"},
		{"bad version: latest", rel, []string{"FSAR_VERSION=latest"}, "version 'latest' is neither"},
		{"bad version: the old default", rel, []string{"FSAR_VERSION=action"}, "version 'action' is neither"},
		{"bad version: a path", rel, []string{"FSAR_VERSION=v1.2.3/../../x"}, "is neither"},
		{"bad version: a workflow command", rel, []string{"FSAR_VERSION=v1.2.3\n::warning::injected"}, "version 'v1.2.3%0A::warning::injected' is neither"},
		{"release URL not https", rel, []string{"FSAR_RELEASE_URL=http://example.com/releases"}, "must be an https URL"},
		{"attestation required without gh", rel, []string{"FSAR_ATTESTATION=required"}, "the build provenance is required, and gh or GH_TOKEN is not there"},
		{"attestation: a bad value", rel, []string{"FSAR_ATTESTATION=maybe"}, "FSAR_ATTESTATION must be auto, required or off"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := serve(t, c.served)
			r := newRunner(t)
			env := append([]string{"FSAR_VERSION=" + rel.tag, "FSAR_RELEASE_URL=" + srv.URL}, c.env...)
			r.failed(r.run("install.sh", env...), c.wantErr)
			if strings.HasPrefix(c.name, "bad version") && srv.requests.Load() != 0 {
				t.Errorf("a bad version made %d requests, want none", srv.requests.Load())
			}
		})
	}
}

// TestInstallAttestation: gh is used when it and a token are there, and
// its verdict is final; with attestation off it is not asked.
func TestInstallAttestation(t *testing.T) {
	rel := snapshot(t)
	srv := serve(t, rel)
	env := []string{"FSAR_VERSION=" + rel.tag, "FSAR_RELEASE_URL=" + srv.URL, "GH_TOKEN=test-token"}

	r := newRunner(t)
	r.addTool("gh", `echo "gh $*" >&2; exit 1`+"\n")
	r.failed(r.run("install.sh", env...), "the build provenance of "+rel.asset+" did not verify")
	r.installed(r.run("install.sh", append(env, "FSAR_ATTESTATION=off")...), rel)

	r = newRunner(t)
	r.addTool("gh", `[ "$1 $2" = "attestation verify" ] && [ "$4 $5" = "--repo fsar-gate/fsar" ] && [ -f "$3" ] && [ "$GH_TOKEN" = test-token ]`+"\n")
	res := r.run("install.sh", append(env, "FSAR_ATTESTATION=required")...)
	r.installed(res, rel)
	if !strings.Contains(res.out, "build provenance of "+rel.asset+" verified") {
		t.Errorf("no word of the verified provenance:\n%s", res.out)
	}
}

// TestInstallSourceNeedsGo: version source uses the runner's Go, and
// says so clearly when there is none.
func TestInstallSourceNeedsGo(t *testing.T) {
	r := newRunner(t)
	r.failed(r.run("install.sh", "FSAR_VERSION=source"), "version 'source' builds fsar with the Go on the runner, and there is none")
}
