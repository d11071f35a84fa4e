package attest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	vsa1 "github.com/in-toto/attestation/go/predicates/vsa/v1"
	intoto "github.com/in-toto/attestation/go/v1"
	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"google.golang.org/protobuf/encoding/protojson"
)

// Keyless is what a Sigstore bundle (from actions/attest or cosign) is
// verified with: the trusted root of the Sigstore instance, and the
// signer's certificate identity and OIDC issuer, both matched exactly.
type Keyless struct {
	Trusted  root.TrustedMaterial
	Identity string
	Issuer   string
}

// File is a report given to Verify: its path and the sha256 of its bytes.
type File struct {
	Name   string
	SHA256 string
}

// VerifyOptions say what a verdict attestation must be to pass.
type VerifyOptions struct {
	// Key verifies a DSSE envelope (or the envelope of a Sigstore bundle
	// signed with a key); else Keyless verifies a Sigstore bundle.
	Key     *Key
	Keyless *Keyless
	// Reports must each be a subject, with the same digest.
	Reports []File
	// PolicyDigests, when any, are the policy sets allowed (sha256:HEX).
	PolicyDigests []string
	// MaxAge, when set, is how long ago the verdict may have been reached.
	MaxAge time.Duration
	Now    time.Time
}

// The checks Verify makes, in order.
const (
	CheckSignature   = "signature"
	CheckPayloadType = "payload-type"
	CheckStatement   = "statement"
	CheckSubjects    = "subjects"
	CheckResult      = "result"
	CheckPolicy      = "policy"
	CheckAge         = "age"
)

// Check is one check Verify made.
type Check struct {
	Name   string `json:"check"`
	Passed bool   `json:"passed"`
	Detail string `json:"detail"`
}

// Verification is what Verify found: every check it made, and what the
// statement says once its signature held.
type Verification struct {
	Verified bool    `json:"verified"`
	Checks   []Check `json:"checks"`
	// From the statement, once it could be read.
	Verdict      string   `json:"verdict,omitempty"`
	Result       string   `json:"verification_result,omitempty"`
	PolicyDigest string   `json:"policy_digest,omitempty"`
	TimeVerified string   `json:"time_verified,omitempty"`
	Verifier     string   `json:"verifier,omitempty"`
	Subjects     []string `json:"subjects,omitempty"`
}

// Failed is the first check that failed, or nil.
func (v *Verification) Failed() *Check {
	for i := range v.Checks {
		if !v.Checks[i].Passed {
			return &v.Checks[i]
		}
	}
	return nil
}

func (v *Verification) check(name string, err error, detail string) bool {
	c := Check{Name: name, Passed: err == nil, Detail: detail}
	if err != nil {
		c.Detail = err.Error()
	}
	v.Checks = append(v.Checks, c)
	return err == nil
}

// Verify checks an attestation file: a DSSE envelope or a Sigstore
// bundle. It passes only when the signature holds, the statement is an
// fsar VSA, every report given is a subject with its digest, the result
// is PASSED, the policy is allowed and the verdict is recent enough.
func Verify(ctx context.Context, data []byte, o VerifyOptions) *Verification {
	if o.Keyless != nil {
		var b bundle.Bundle
		if err := b.UnmarshalJSON(data); err != nil {
			v := &Verification{}
			v.check(CheckSignature, fmt.Errorf("not a Sigstore bundle: %w", err), "")
			return v
		}
		return VerifyEntity(&b, o)
	}
	v := &Verification{}
	env, err := envelopeOf(data)
	if err != nil {
		v.check(CheckSignature, err, "")
		return v
	}
	if o.Key == nil {
		v.check(CheckSignature, errors.New("no key to verify the envelope with"), "")
		return v
	}
	payload, err := verifyEnvelope(ctx, env, o.Key)
	if !v.check(CheckSignature, err, "DSSE envelope signed by key "+o.Key.id[:16]) {
		return v
	}
	v.statement(env.PayloadType, payload, o)
	return v
}

// VerifyEntity is Verify for a Sigstore signed entity (a bundle), with
// o.Keyless.
func VerifyEntity(e verify.SignedEntity, o VerifyOptions) *Verification {
	v := &Verification{}
	k := o.Keyless
	env, err := verifyKeyless(e, k)
	if !v.check(CheckSignature, err, fmt.Sprintf("Sigstore bundle signed by %s (issuer %s)", k.Identity, k.Issuer)) {
		return v
	}
	payload, err := env.DecodeB64Payload()
	if err != nil {
		v.Checks[0] = Check{Name: CheckSignature, Detail: "the envelope's payload: " + err.Error()}
		return v
	}
	v.statement(env.PayloadType, payload, o)
	return v
}

func verifyKeyless(e verify.SignedEntity, k *Keyless) (*dsse.Envelope, error) {
	if k.Identity == "" || k.Issuer == "" {
		return nil, errors.New("keyless verification needs the certificate identity and its OIDC issuer")
	}
	opts := []verify.VerifierOption{verify.WithObserverTimestamps(1)}
	if len(k.Trusted.RekorLogs()) > 0 {
		opts = append(opts, verify.WithTransparencyLog(1))
	}
	if len(k.Trusted.CTLogs()) > 0 {
		opts = append(opts, verify.WithSignedCertificateTimestamps(1))
	}
	verifier, err := verify.NewVerifier(k.Trusted, opts...)
	if err != nil {
		return nil, err
	}
	id, err := verify.NewShortCertificateIdentity(k.Issuer, "", k.Identity, "")
	if err != nil {
		return nil, err
	}
	if _, err := verifier.Verify(e, verify.NewPolicy(verify.WithoutArtifactUnsafe(), verify.WithCertificateIdentity(id))); err != nil {
		return nil, err
	}
	content, err := e.SignatureContent()
	if err != nil {
		return nil, err
	}
	if content.EnvelopeContent() == nil {
		return nil, errors.New("the bundle signs a message, not an attestation (a DSSE envelope)")
	}
	return content.EnvelopeContent().RawEnvelope(), nil
}

// envelopeOf reads a DSSE envelope, alone or in a Sigstore bundle signed
// with a key (its dsseEnvelope).
func envelopeOf(data []byte) (*dsse.Envelope, error) {
	var doc struct {
		MediaType    string         `json:"mediaType"`
		DSSEEnvelope *dsse.Envelope `json:"dsseEnvelope"`
		dsse.Envelope
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not a DSSE envelope: %w", err)
	}
	env := &doc.Envelope
	if doc.MediaType != "" {
		if doc.DSSEEnvelope == nil {
			return nil, errors.New("a Sigstore bundle without a DSSE envelope: expected an attestation")
		}
		env = doc.DSSEEnvelope
	}
	if env.PayloadType == "" || env.Payload == "" || len(env.Signatures) == 0 {
		return nil, errors.New("not a signed DSSE envelope: expected payloadType, payload and signatures (an unsigned statement proves nothing)")
	}
	return env, nil
}

func verifyEnvelope(ctx context.Context, env *dsse.Envelope, key *Key) ([]byte, error) {
	if key == nil {
		return nil, errors.New("no key to verify the envelope with")
	}
	ev, err := dsse.NewEnvelopeVerifier(key)
	if err != nil {
		return nil, err
	}
	_, payload, err := ev.VerifyAndDecode(ctx, env)
	if err != nil {
		return nil, errors.New("the envelope is not signed by the key (its payload or signature was changed, or another key signed it)")
	}
	return payload, nil
}

// statement makes the checks of the signed payload.
func (v *Verification) statement(payloadType string, payload []byte, o VerifyOptions) {
	if !v.check(CheckPayloadType, payloadTypeErr(payloadType), PayloadType) {
		return
	}
	st, vsa, ext, err := parse(payload)
	if !v.check(CheckStatement, err, "an in-toto statement, a verification summary by fsar") {
		return
	}
	v.Result, v.PolicyDigest = vsa.GetVerificationResult(), "sha256:"+vsa.GetPolicy().GetDigest()["sha256"]
	v.Verifier = fmt.Sprintf("fsar %s (OPA %s)", versionOf(ext.versions, "fsar"), versionOf(ext.versions, "opa"))
	v.Verdict = ext.Verdict
	t := vsa.GetTimeVerified().AsTime()
	v.TimeVerified = t.UTC().Format(time.RFC3339)
	for _, s := range st.GetSubject() {
		v.Subjects = append(v.Subjects, s.GetName())
	}

	v.check(CheckSubjects, subjectsErr(st, o.Reports), fmt.Sprintf("%d reports, each a subject with its sha256", len(o.Reports)))

	var resultErr error
	if vsa.GetVerificationResult() != Passed {
		resultErr = fmt.Errorf("the verdict is %s (%s), not %s", vsa.GetVerificationResult(), strings.Join(vsa.GetVerifiedLevels(), ", "), Passed)
	}
	v.check(CheckResult, resultErr, Passed+" ("+strings.Join(vsa.GetVerifiedLevels(), ", ")+")")

	var policyErr error
	detail := v.PolicyDigest + " (no --policy-digest given: any policy)"
	if len(o.PolicyDigests) > 0 {
		detail = v.PolicyDigest + " is allowed"
		if !slices.Contains(o.PolicyDigests, v.PolicyDigest) {
			policyErr = fmt.Errorf("judged under policy %s, which is not an allowed --policy-digest", v.PolicyDigest)
		}
	}
	v.check(CheckPolicy, policyErr, detail)

	age := o.Now.Sub(t)
	var ageErr error
	detail = fmt.Sprintf("verified at %s, %s ago", v.TimeVerified, age.Round(time.Second))
	switch {
	case age < -5*time.Minute:
		ageErr = fmt.Errorf("verified at %s, in the future", v.TimeVerified)
	case o.MaxAge > 0 && age > o.MaxAge:
		ageErr = fmt.Errorf("verified at %s, %s ago: older than --max-age %s", v.TimeVerified, age.Round(time.Second), o.MaxAge)
	}
	v.check(CheckAge, ageErr, detail)
	v.Verified = v.Failed() == nil
}

func payloadTypeErr(t string) error {
	if t != PayloadType {
		return fmt.Errorf("payload type %q: expected %s", t, PayloadType)
	}
	return nil
}

// extension is what Verify reads of the extension field.
type extension struct {
	Verdict  string
	versions map[string]any
}

// parse reads a signed payload as an fsar verification summary.
func parse(payload []byte) (*intoto.Statement, *vsa1.VerificationSummary, extension, error) {
	var ext extension
	st := &intoto.Statement{}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(payload, st); err != nil {
		return nil, nil, ext, fmt.Errorf("not an in-toto statement: %w", err)
	}
	if st.GetType() != intoto.StatementTypeUri {
		return nil, nil, ext, fmt.Errorf("statement type %q: expected %s", st.GetType(), intoto.StatementTypeUri)
	}
	if err := st.Validate(); err != nil {
		return nil, nil, ext, fmt.Errorf("not a valid in-toto statement: %w", err)
	}
	if st.GetPredicateType() != PredicateType {
		return nil, nil, ext, fmt.Errorf("predicate type %q: expected %s", st.GetPredicateType(), PredicateType)
	}
	raw, err := protojson.Marshal(st.GetPredicate())
	if err != nil {
		return nil, nil, ext, err
	}
	vsa := &vsa1.VerificationSummary{}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(raw, vsa); err != nil {
		return nil, nil, ext, fmt.Errorf("not a verification summary: %w", err)
	}
	if id := vsa.GetVerifier().GetId(); id != VerifierID {
		return nil, nil, ext, fmt.Errorf("verified by %q, not fsar (%s)", id, VerifierID)
	}
	if vsa.GetTimeVerified() == nil || vsa.GetPolicy().GetDigest()["sha256"] == "" {
		return nil, nil, ext, errors.New("a verification summary without timeVerified or a sha256 policy digest")
	}
	fields := st.GetPredicate().GetFields()
	if s := fields[Extension].GetStructValue(); s != nil {
		ext.Verdict = s.GetFields()["verdict"].GetStringValue()
	}
	if s := fields["verifier"].GetStructValue(); s != nil {
		ext.versions = s.GetFields()["version"].GetStructValue().AsMap()
	}
	return st, vsa, ext, nil
}

// subjectsErr says which report is not a subject with its digest.
func subjectsErr(st *intoto.Statement, reports []File) error {
	if len(reports) == 0 {
		return errors.New("no report given to check against the attestation's subjects")
	}
	for _, r := range reports {
		name := path.Clean(filepath.ToSlash(r.Name))
		found, sameName := false, ""
		for _, s := range st.GetSubject() {
			if s.GetDigest()["sha256"] == r.SHA256 {
				found = true
				break
			}
			if s.GetName() == name || strings.HasSuffix(s.GetName(), "/"+name) {
				sameName = s.GetDigest()["sha256"]
			}
		}
		switch {
		case found:
		case sameName != "":
			return fmt.Errorf("%s was changed after it was judged: its sha256 is %s, the attestation's %s", r.Name, r.SHA256, sameName)
		default:
			return fmt.Errorf("%s (sha256 %s) is not a subject of the attestation: it attests %s", r.Name, r.SHA256, subjectNames(st))
		}
	}
	return nil
}

func subjectNames(st *intoto.Statement) string {
	var names []string
	for _, s := range st.GetSubject() {
		names = append(names, s.GetName())
	}
	if len(names) > 5 {
		names = append(names[:5], fmt.Sprintf("and %d more", len(names)-5))
	}
	return strings.Join(names, ", ")
}

// HashFile is a report as Verify takes it: its name and the sha256 of its
// bytes. Only a regular file is read (a named pipe could block forever).
func HashFile(name string) (File, error) {
	if info, err := os.Stat(name); err != nil {
		return File{}, err
	} else if !info.Mode().IsRegular() {
		return File{}, fmt.Errorf("%s: not a regular file: expected a report file", name)
	}
	f, err := os.Open(name)
	if err != nil {
		return File{}, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return File{}, fmt.Errorf("%s: %w", name, err)
	}
	return File{Name: name, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

func versionOf(versions map[string]any, name string) string {
	if v, ok := versions[name].(string); ok && v != "" {
		return v
	}
	return "unknown"
}
