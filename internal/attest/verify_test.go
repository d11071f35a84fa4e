package attest

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
)

const (
	passMD   = "proposals/pass/fsar_proposal_cache-policy-bundle.md"
	passJSON = "proposals/pass/fsar_proposal_cache-policy-bundle.json"
	blockMD  = "proposals/block/fsar_proposal_secret.md"
)

func ecdsaKey(t *testing.T) *Key {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParsePrivateKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// publicOnly is k as a verifier knows it: from its PEM public key.
func publicOnly(t *testing.T, k *Key) *Key {
	t.Helper()
	pub, err := ParsePublicKey(k.PublicPEM())
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// file is a report as fsar verify reads it.
func file(t *testing.T, name string) File {
	t.Helper()
	return File{Name: name, SHA256: sha256sum(t, "../../"+name)}
}

// statementOf judges the repository paths and returns their statement.
func statementOf(t *testing.T, perReport bool, names ...string) []byte {
	t.Helper()
	var paths []string
	for _, n := range names {
		paths = append(paths, "../../"+n)
	}
	res := judge(t, paths...)
	st, err := Statement(res, testOptions)
	if perReport {
		var all []Named
		all, err = PerReport(res, testOptions)
		if err == nil {
			st = all[0].Statement
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	b, err := Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func signed(t *testing.T, statement []byte, k *Key) []byte {
	t.Helper()
	env, err := Sign(context.Background(), statement, k)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestVerify(t *testing.T) {
	key := ecdsaKey(t)
	pub := publicOnly(t, key)
	passing := signed(t, statementOf(t, false, passMD), key)
	opts := func(reports ...File) VerifyOptions {
		return VerifyOptions{Key: pub, Reports: reports, Now: now.Add(time.Hour), MaxAge: 24 * time.Hour,
			PolicyDigests: []string{judge(t, "../../"+passMD).DecidedBy.PolicyDigest}}
	}

	v := Verify(context.Background(), passing, opts(file(t, passMD), file(t, passJSON)))
	if !v.Verified || len(v.Checks) != 7 || v.Result != Passed || v.Verdict != "pass" || len(v.Subjects) != 2 {
		t.Fatalf("%+v", v)
	}

	// An Ed25519 key signs and verifies too.
	_, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(edPriv)
	edKey, err := ParsePrivateKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil {
		t.Fatal(err)
	}
	o := opts(file(t, passMD))
	o.Key = publicOnly(t, edKey)
	if v := Verify(context.Background(), signed(t, statementOf(t, false, passMD), edKey), o); !v.Verified {
		t.Fatalf("ed25519: %+v", v.Failed())
	}

	// Each case fails, at the check it names, with a reason.
	edited := file(t, passMD)
	edited.SHA256 = strings.Repeat("e", 64)
	payloadEdited := editPayload(t, signed(t, statementOf(t, false, blockMD), key), "FAILED", "PASSED")
	otherKey := publicOnly(t, ecdsaKey(t))
	unknownType := signAs(t, statementOf(t, false, passMD), key, "application/json")
	cases := []struct {
		name        string
		attestation []byte
		o           VerifyOptions
		check, why  string
	}{
		{"report edited after judging", passing, opts(edited), CheckSubjects, "was changed after it was judged"},
		{"payload edited", payloadEdited, opts(file(t, blockMD)), CheckSignature, "not signed by the key"},
		{"wrong key", passing, func() VerifyOptions { o := opts(file(t, passMD)); o.Key = otherKey; return o }(), CheckSignature, "not signed by the key"},
		{"FAILED verdict", signed(t, statementOf(t, false, blockMD), key), opts(file(t, blockMD)), CheckResult, "the verdict is FAILED (FSAR_BLOCK)"},
		{"policy digest not allowed", passing, func() VerifyOptions {
			o := opts(file(t, passMD))
			o.PolicyDigests = []string{"sha256:" + strings.Repeat("0", 64)}
			return o
		}(), CheckPolicy, "not an allowed --policy-digest"},
		{"too old", passing, func() VerifyOptions { o := opts(file(t, passMD)); o.Now = now.Add(48 * time.Hour); return o }(), CheckAge, "older than --max-age 24h0m0s"},
		{"from the future", passing, func() VerifyOptions { o := opts(file(t, passMD)); o.Now = now.Add(-time.Hour); return o }(), CheckAge, "in the future"},
		{"replayed for another report", signed(t, statementOf(t, true, passMD), key), opts(file(t, "proposals/pass/fsar_proposal_hand-written.yaml")), CheckSubjects, "is not a subject of the attestation"},
		{"unknown payload type", unknownType, opts(file(t, passMD)), CheckPayloadType, `payload type "application/json"`},
		{"unsigned statement", statementOf(t, false, passMD), opts(file(t, passMD)), CheckSignature, "not a signed DSSE envelope"},
		{"not JSON", []byte("-----BEGIN"), opts(file(t, passMD)), CheckSignature, "not a DSSE envelope"},
		{"another verifier", signed(t, []byte(strings.Replace(string(statementOf(t, false, passMD)), `"id":"`+VerifierID+`"`, `"id":"https://example.com/other"`, 1)), key),
			opts(file(t, passMD)), CheckStatement, `verified by "https://example.com/other", not fsar`},
		{"no report given", passing, opts(), CheckSubjects, "no report given"},
		{"no key", passing, func() VerifyOptions { o := opts(file(t, passMD)); o.Key = nil; return o }(), CheckSignature, "no key to verify"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := Verify(context.Background(), c.attestation, c.o)
			f := v.Failed()
			if v.Verified || f == nil || f.Name != c.check || !strings.Contains(f.Detail, c.why) {
				t.Fatalf("verified %v, failed check %+v; want %s: %q\n%+v", v.Verified, f, c.check, c.why, v.Checks)
			}
		})
	}
}

// editPayload replaces old with new in an envelope's signed payload and
// keeps its signature.
func editPayload(t *testing.T, envelope []byte, old, new string) []byte {
	t.Helper()
	var env dsse.Envelope
	if err := json.Unmarshal(envelope, &env); err != nil {
		t.Fatal(err)
	}
	payload, _ := base64.StdEncoding.DecodeString(env.Payload)
	if !strings.Contains(string(payload), old) {
		t.Fatalf("payload lacks %q", old)
	}
	env.Payload = base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(payload), old, new, 1)))
	b, _ := json.Marshal(env)
	return b
}

// signAs signs payload with key under another payload type.
func signAs(t *testing.T, payload []byte, key *Key, payloadType string) []byte {
	t.Helper()
	s, _ := dsse.NewEnvelopeSigner(key)
	env, err := s.SignPayload(context.Background(), payloadType, payload)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(env)
	return b
}

func TestParseKeys(t *testing.T) {
	for _, c := range []struct{ pem, want string }{
		{"", "not a PEM private key"},
		{"-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n", "unencrypted"},
		{"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", `PEM "RSA PRIVATE KEY" block`},
	} {
		if _, err := ParsePrivateKey([]byte(c.pem)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.pem, err, c.want)
		}
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(p384.Public())
	if _, err := ParsePublicKey(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})); err == nil || !strings.Contains(err.Error(), "expected P-256") {
		t.Errorf("P-384: %v", err)
	}
	if _, err := ParsePublicKey(ecdsaKey(t).PublicPEM()[:20]); err == nil {
		t.Error("a cut public key was read")
	}
}

// TestVerifyKeyless: a Sigstore bundle as actions/attest makes one,
// verified offline against sigstore-go's virtual Sigstore (a fake
// Fulcio CA, transparency log and timestamp authority).
func TestVerifyKeyless(t *testing.T) {
	virtual, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	vs := withoutCT{virtual}
	const (
		identity = "https://github.com/octo-org/reports/.github/workflows/fsar.yml@refs/heads/main"
		issuer   = "https://token.actions.githubusercontent.com"
	)
	entity, err := virtual.Attest(identity, issuer, statementOf(t, false, passMD))
	if err != nil {
		t.Fatal(err)
	}
	o := VerifyOptions{Keyless: &Keyless{Trusted: vs, Identity: identity, Issuer: issuer},
		Reports: []File{file(t, passMD)}, Now: now.Add(time.Hour)}
	if v := VerifyEntity(entity, o); !v.Verified {
		t.Fatalf("%+v", v.Checks)
	}
	for name, k := range map[string]Keyless{
		"another workflow":    {Trusted: vs, Identity: strings.Replace(identity, "fsar.yml", "evil.yml", 1), Issuer: issuer},
		"another branch":      {Trusted: vs, Identity: strings.Replace(identity, "refs/heads/main", "refs/heads/fork", 1), Issuer: issuer},
		"another issuer":      {Trusted: vs, Identity: identity, Issuer: "https://accounts.example.com"},
		"identity by pattern": {Trusted: vs, Identity: "https://github.com/octo-org/reports/", Issuer: issuer},
	} {
		t.Run(name, func(t *testing.T) {
			o := o
			o.Keyless = &k
			v := VerifyEntity(entity, o)
			if f := v.Failed(); v.Verified || f == nil || f.Name != CheckSignature {
				t.Fatalf("%+v", v.Checks)
			}
		})
	}
	// Another Sigstore's bundle does not verify against this one's root.
	other, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := other.Attest(identity, issuer, statementOf(t, false, passMD))
	if err != nil {
		t.Fatal(err)
	}
	if v := VerifyEntity(foreign, o); v.Verified || v.Failed().Name != CheckSignature {
		t.Fatalf("another Sigstore: %+v", v.Checks)
	}
	// A signed statement that fails: FAILED, even when keyless.
	blocked, err := virtual.Attest(identity, issuer, statementOf(t, false, blockMD))
	if err != nil {
		t.Fatal(err)
	}
	o.Reports = []File{file(t, blockMD)}
	if v := VerifyEntity(blocked, o); v.Verified || v.Failed().Name != CheckResult {
		t.Fatalf("blocked: %+v", v.Checks)
	}
}

// withoutCT is a virtual Sigstore's trusted root without its certificate
// transparency logs: its certificates carry no SCTs, and fsar requires
// them when the root names CT logs (as the public-good one does).
type withoutCT struct{ root.TrustedMaterial }

func (withoutCT) CTLogs() map[string]*root.TransparencyLog { return nil }
