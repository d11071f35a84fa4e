package policy

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/compile"
)

// teamPolicy is a policy a team would publish as a bundle: its own
// package, beside the bundled policies.
var teamPolicy = map[string]string{
	"team.rego": regoSrc(
		"package fsar.team",
		"",
		"# METADATA",
		"# title: No owner",
		"# custom:",
		"#   id: team-owner",
		"#   level: warn",
		"#   remediation: Name an owner.",
		"warn contains {\"msg\": \"no owner\", \"rule\": rego.metadata.rule().custom.id, \"field\": \"id\"} if {",
		"\tnot input.extra.owner",
		"}",
	),
	"team_test.rego":   "package fsar.team_test\n\ntest_nothing if true\n",
	"owners/data.json": `{"known": ["alice"]}`,
}

// pemKeys makes a key pair in PEM: private (PKCS #8) and public (PKIX).
func pemKeys(t testing.TB, rsaKey bool) (private, public []byte) {
	t.Helper()
	var key any
	var pub any
	var err error
	if rsaKey {
		var k *rsa.PrivateKey
		k, err = rsa.GenerateKey(rand.Reader, 2048)
		key, pub = k, &k.PublicKey
	} else {
		var k *ecdsa.PrivateKey
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		key, pub = k, &k.PublicKey
	}
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
}

// buildTeam builds the team bundle, signed with key when it is not nil,
// with the roots given (none: the packages and data it defines).
func buildTeam(t testing.TB, key []byte, files map[string]string, roots ...string) []byte {
	t.Helper()
	b, _, err := BuildBundle(t.Context(), BuildOptions{Dir: memFS(files), Revision: "team-2026.11", SigningKey: key, Roots: roots})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// untar and retar take a bundle apart and put it together again, to
// change it after it was signed.
func untar(t testing.TB, b []byte) map[string][]byte {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files
		} else if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = data
	}
}

func retar(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	gz := gzip.NewWriter(&b)
	tw := tar.NewWriter(gz)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(files[name])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(files[name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// loadTeam reads a tarball with the public key (none when nil) and
// loads it beside the bundled policies.
func loadTeam(t testing.TB, tarball, pub []byte) (*Engine, error) {
	t.Helper()
	var vc *bundle.VerificationConfig
	if pub != nil {
		var err error
		if vc, err = verificationConfig(pub, BundleKey{}); err != nil {
			t.Fatal(err)
		}
	}
	b, err := readBundle("team.tar.gz", nil, "", tarball, vc)
	if err != nil {
		return nil, err
	}
	return Load(t.Context(), Options{Sources: []Source{defaultSource()}, Now: fixtureNow, Bundles: []*Bundle{b}})
}

// TestBundleSigned: a bundle signed when built is verified and loaded
// beside the bundled policies, its data with it; its revision and roots
// are recorded.
func TestBundleSigned(t *testing.T) {
	for _, rsaKey := range []bool{false, true} {
		private, public := pemKeys(t, rsaKey)
		e, err := loadTeam(t, buildTeam(t, private, teamPolicy), public)
		if err != nil {
			t.Fatalf("rsa %v: %v", rsaKey, err)
		}
		want := []BundleInfo{{Location: "team.tar.gz", Revision: "team-2026.11", Roots: []string{"fsar/team", "owners"}, Verified: true}}
		if got := e.Bundles(); !slices.EqualFunc(got, want, bundleInfoEqual) {
			t.Errorf("bundles %+v, want %+v", got, want)
		}
		fs, err := e.Eval(t.Context(), value(t, map[string]any{"extra": map[string]any{}}))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(fs, func(f Finding) bool { return f.Rule == "team-owner" && f.Remediation == "Name an owner." }) {
			t.Errorf("no team-owner finding from the bundle: %+v", fs)
		}
		if !slices.ContainsFunc(e.Rules(), func(r Rule) bool { return r.ID == "team-owner" && r.File == "team.tar.gz/team.rego" }) {
			t.Errorf("rules: %+v", e.Rules())
		}
	}
}

func bundleInfoEqual(a, b BundleInfo) bool {
	return a.Location == b.Location && a.Revision == b.Revision && a.Verified == b.Verified && slices.Equal(a.Roots, b.Roots)
}

// TestBundleRefused: with a verification key, a bundle changed after it
// was signed, one without .signatures.json and one signed with another
// key are refused, saying what failed; so is a bundle whose roots overlap
// the bundled policies, with a key or without.
func TestBundleRefused(t *testing.T) {
	private, public := pemKeys(t, false)
	signed := buildTeam(t, private, teamPolicy)
	changed := untar(t, signed)
	changed["/team.rego"] = bytes.Replace(changed["/team.rego"], []byte("not input.extra.owner"), []byte("false"), 1)
	unsigned := untar(t, signed)
	delete(unsigned, "/.signatures.json")
	other, _ := pemKeys(t, false)
	inside := map[string]string{"x.rego": "package fsar.severity.extra\n\nx := 1\n"}

	for name, tt := range map[string]struct {
		tarball, pub []byte
		want         string
	}{
		"changed after signing":   {retar(t, changed), public, "team.rego"},
		"no .signatures.json":     {retar(t, unsigned), public, "bundle missing .signatures.json file"},
		"signed with another key": {buildTeam(t, other, teamPolicy), public, "failed to verify JWT signature"},
		"roots overlap":           {buildTeam(t, private, teamPolicy, "fsar", "owners"), public, `overlaps the root "fsar" of bundle team.tar.gz`},
		"roots inside":            {buildTeam(t, nil, inside), nil, `package fsar.severity overlaps the root "fsar/severity/extra"`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loadTeam(t, tt.tarball, tt.pub)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want one with %q", err, tt.want)
			}
		})
	}
}

// TestBundleOpaBuild: a bundle made by opa build --signing-key is
// accepted. The test runs what 'opa build -b DIR --signing-key KEY'
// runs - OPA's compile package at the pinned module version, the
// command's own code below its flags - rather than building the opa
// binary, which would take minutes in CI for no other gain.
func TestBundleOpaBuild(t *testing.T) {
	private, public := pemKeys(t, true)
	dir := t.TempDir()
	for name, src := range map[string]string{
		".manifest":                  `{"revision": "opa-built", "roots": ["fsar/team"]}`,
		"team/team.rego":             teamPolicy["team.rego"],
		"fsar/team/owners/data.json": `{"known": ["alice"]}`,
		"team/docs.rego":             "package fsar.team.docs\n\nsee := \"README\"\n",
		"team/x/y/deep.rego":         "package fsar.team.deep\n\nlevel := 3\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	err := compile.New().
		WithAsBundle(true).
		WithPaths(dir).
		WithRegoVersion(ast.RegoV1).
		WithBundleSigningConfig(bundle.NewSigningConfig(string(private), "RS256", "")).
		WithOutput(&out).
		Build(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	e, err := loadTeam(t, out.Bytes(), public)
	if err != nil {
		t.Fatalf("fsar refused opa build's bundle: %v", err)
	}
	if got := e.Bundles(); len(got) != 1 || got[0].Revision != "opa-built" || !got[0].Verified {
		t.Errorf("bundles %+v", got)
	}
}

// TestBundleURL: a bundle served over HTTPS (a loopback test server,
// trusted through its own client) is fetched and loaded; http:// and a
// server error are refused.
func TestBundleURL(t *testing.T) {
	private, public := pemKeys(t, false)
	tarball := buildTeam(t, private, teamPolicy)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/team.tar.gz" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(tarball)
	}))
	defer srv.Close()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key.pub")
	if err := os.WriteFile(keyFile, public, 0o644); err != nil {
		t.Fatal(err)
	}
	sel := func(url string) Selection {
		return Selection{Bundles: []string{url}, BundleKey: BundleKey{File: keyFile}, HTTPClient: srv.Client()}
	}
	p, err := sel(srv.URL + "/team.tar.gz").Open(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	e, err := p.Load(t.Context(), fixtureNow)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Bundles(); len(got) != 1 || got[0].Location != srv.URL+"/team.tar.gz" || got[0].Revision != "team-2026.11" {
		t.Errorf("bundles %+v", got)
	}
	for url, want := range map[string]string{
		srv.URL + "/missing.tar.gz":                  "HTTP 404",
		strings.Replace(srv.URL, "https", "http", 1): "only https:// URLs are fetched",
	} {
		p, err := sel(url).Open(t.Context())
		if err == nil {
			_, err = p.Load(t.Context(), fixtureNow)
		}
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "--bundle "+url) {
			t.Errorf("%s: %v, want %q", url, err, want)
		}
	}
}

// TestBundleFolder: a bundle folder, signed, read from the working tree.
func TestBundleFolder(t *testing.T) {
	private, public := pemKeys(t, false)
	dir := t.TempDir()
	for name, data := range untar(t, buildTeam(t, private, teamPolicy)) {
		p := filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(name, "/")))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var vc, _ = verificationConfig(public, BundleKey{})
	b, err := readBundle(dir, os.DirFS(dir), ".", nil, vc)
	if err != nil {
		t.Fatal(err)
	}
	if b.Info.Revision != "team-2026.11" || len(b.files) != 1 {
		t.Errorf("%+v, %d files", b.Info, len(b.files))
	}
}

// TestBundleAtRef: with a revision (--policy-ref, a pull request's base),
// the bundle file and the verification key are read as they are there,
// like the rest of the configuration: a pull request cannot swap either.
func TestBundleAtRef(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=fsar", "-c", "user.email=fsar@example.com"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(revision string) {
		t.Helper()
		private, public := pemKeys(t, false)
		b, _, err := BuildBundle(t.Context(), BuildOptions{Dir: memFS(teamPolicy), Revision: revision, SigningKey: private})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("team.tar.gz", b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("team.pub", public, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q", ".")
	write("base")
	git("add", ".")
	git("commit", "-q", "-m", "base")
	write("pull-request")
	for ref, want := range map[string]string{"HEAD": "base", "": "pull-request"} {
		sel, err := Selection{Ref: ref, Bundles: []string{"team.tar.gz"}, BundleKey: BundleKey{File: "team.pub"}}.Open(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		e, err := sel.Load(t.Context(), fixtureNow)
		if err != nil {
			t.Fatalf("ref %q: %v", ref, err)
		}
		if got := e.Bundles(); len(got) != 1 || got[0].Revision != want {
			t.Errorf("ref %q: bundles %+v, want revision %s", ref, got, want)
		}
	}
}
