package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fsar-gate/fsar/internal/iostreams"
)

// writeKeys writes an ECDSA key pair as PEM files in dir.
func writeKeys(t *testing.T, dir, name string) (private, public string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	pub, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	private, public = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+".pub")
	if err := os.WriteFile(private, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(public, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o644); err != nil {
		t.Fatal(err)
	}
	return private, public
}

// runFactory runs fsar in-process with an HTTP client for bundle URLs.
func runFactory(t *testing.T, client *http.Client, args ...string) (string, string, int) {
	t.Helper()
	io, _, out, errOut := iostreams.Test()
	f := &Factory{IO: io, Now: func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) },
		Getenv: func(string) string { return "" }, HTTPClient: client}
	code := Run(t.Context(), f, args)
	return out.String(), errOut.String(), code
}

// TestBundles: fsar policy build makes a signed bundle; fsar check loads
// it with the key, from a file or over HTTPS (a loopback TLS server), and
// records its revision; a wrongly signed, unsigned or overlapping bundle
// is exit 2, naming what failed.
func TestBundles(t *testing.T) {
	dir := t.TempDir()
	private, public := writeKeys(t, dir, "team")
	otherPrivate, _ := writeKeys(t, dir, "other")
	src := filepath.Join(dir, "policy")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	rego := "package fsar.team\n\n# METADATA\n# custom:\n#   id: team-owner\n#   level: review\n" +
		"review contains {\"msg\": \"no owner\", \"rule\": rego.metadata.rule().custom.id} if not input.extra.owner\n"
	if err := os.WriteFile(filepath.Join(src, "team.rego"), []byte(rego), 0o644); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join("..", "..", "proposals", "pass", "fsar_proposal_cache-policy-bundle.md")
	bundle := filepath.Join(dir, "team.tar.gz")

	out, errOut, code := run(t, false, nil, "policy", "build", src, "-o", bundle, "--revision", "v7", "--signing-key", private)
	if code != ExitOK || !strings.Contains(out, `roots fsar/team, revision "v7", signed with key id default`) {
		t.Fatalf("policy build: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = run(t, false, nil, "check", "--format", "json", "--bundle", bundle, "--verification-key", public, report)
	if code != ExitFail {
		t.Fatalf("check with the signed bundle: exit %d, want 1 (its review rule fires)\n%s", code, errOut)
	}
	var res struct {
		DecidedBy struct {
			PolicyBundles []struct {
				Location, Revision string
				Roots              []string
				Verified           bool
			} `json:"policy_bundles"`
		} `json:"decided_by"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if b := res.DecidedBy.PolicyBundles; len(b) != 1 || b[0].Revision != "v7" || b[0].Location != bundle || !b[0].Verified ||
		strings.Join(b[0].Roots, ",") != "fsar/team" {
		t.Errorf("policy_bundles: %+v", b)
	}

	wrong := filepath.Join(dir, "wrong.tar.gz")
	if _, errOut, code := run(t, false, nil, "policy", "build", src, "-o", wrong, "--signing-key", otherPrivate); code != ExitOK {
		t.Fatalf("build: %d %s", code, errOut)
	}
	unsigned := filepath.Join(dir, "unsigned.tar.gz")
	if _, errOut, code := run(t, false, nil, "policy", "build", src, "-o", unsigned); code != ExitOK {
		t.Fatalf("build: %d %s", code, errOut)
	}
	overlap := filepath.Join(dir, "overlap.tar.gz")
	if _, errOut, code := run(t, false, nil, "policy", "build", src, "-o", overlap, "--root", "fsar", "--signing-key", private); code != ExitOK {
		t.Fatalf("build: %d %s", code, errOut)
	}
	for name, tt := range map[string]struct {
		bundle, want string
	}{
		"another key":   {wrong, "failed to verify JWT signature"},
		"unsigned":      {unsigned, "bundle missing .signatures.json file"},
		"roots overlap": {overlap, `package fsar.analysis overlaps the root "fsar" of bundle ` + overlap},
	} {
		_, errOut, code := run(t, false, nil, "check", "--bundle", tt.bundle, "--verification-key", public, report)
		if code != ExitError || !strings.Contains(errOut, tt.want) {
			t.Errorf("%s: exit %d, want 2 with %q:\n%s", name, code, tt.want, errOut)
		}
	}

	data, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(data) }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below
	srv.StartTLS()
	defer srv.Close()
	url := srv.URL + "/team.tar.gz"
	out, errOut, code = runFactory(t, srv.Client(), "check", "--format", "json", "--bundle", url, "--verification-key", public, report)
	if code != ExitFail || !strings.Contains(out, `"location": "`+url+`"`) || !strings.Contains(out, `"revision": "v7"`) {
		t.Errorf("check --bundle %s: exit %d\n%s\n%s", url, code, errOut, out)
	}
	// Without the test server's certificate, the download fails closed.
	if _, errOut, code := runFactory(t, nil, "check", "--bundle", url, report); code != ExitError || !strings.Contains(errOut, "--bundle "+url) {
		t.Errorf("an untrusted certificate: exit %d\n%s", code, errOut)
	}

	if _, errOut, code := run(t, false, nil, "check", "--verification-key", public, report); code != ExitError || !strings.Contains(errOut, "needs a --bundle") {
		t.Errorf("a key without a bundle: exit %d\n%s", code, errOut)
	}
}
