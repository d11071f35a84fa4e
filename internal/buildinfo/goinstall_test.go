package buildinfo

import (
	"archive/zip"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestGoInstallNamesItsVersion: `go install
// github.com/fsar-gate/fsar/cmd/fsar@v1.2.3` gives a binary that says
// v1.2.3. The module is served at that version from a proxy folder made
// here (file://, no network); its dependencies come from the module
// cache's download folder, and the binary is built with -trimpath so that
// they are not compiled again. It takes a few seconds once the build cache
// holds the dependencies (.ci/release fills it), minutes when it does not:
// -short skips it.
func TestGoInstallNamesItsVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: go install of a whole module")
	}
	const module, version = "github.com/fsar-gate/fsar", "v1.2.3"
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	modcache, err := exec.Command(goBin, "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join("..", "..")
	proxy := t.TempDir()
	dir := filepath.Join(proxy, module, "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{
		"list":            version + "\n",
		version + ".info": `{"Version":"` + version + `","Time":"2026-11-30T00:00:00Z"}`,
		version + ".mod":  string(gomod),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeModuleZip(t, root, filepath.Join(dir, version+".zip"), module+"@"+version)

	gobin := t.TempDir()
	cmd := exec.Command(goBin, "install", "-trimpath", module+"/cmd/fsar@"+version)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(),
		"GOBIN="+gobin,
		"GOMODCACHE="+t.TempDir(),
		"GOFLAGS=-modcacherw",
		"GOPROXY=file://"+filepath.ToSlash(proxy)+",file://"+filepath.ToSlash(filepath.Join(strings.TrimSpace(string(modcache)), "cache", "download")),
		"GOSUMDB=off",
		"CGO_ENABLED=0",
		"GOTOOLCHAIN=local",
	)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go install: %v\n%s", err, out)
	}
	out, err := exec.Command(filepath.Join(gobin, "fsar"), "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), "fsar "+version+"\n") {
		t.Errorf("fsar version of the go install at %s:\n%s", version, out)
	}
}

// writeModuleZip packs the module's files that a build needs (no hidden
// folders, no testdata, no tests) as a module zip.
func writeModuleZip(t *testing.T, root, path, prefix string) {
	t.Helper()
	safe := regexp.MustCompile(`^[A-Za-z0-9._/+-]+$`)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || rel == "dist") {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || strings.HasSuffix(rel, "_test.go") || !safe.MatchString(rel) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		w, err := zw.Create(prefix + "/" + rel)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
