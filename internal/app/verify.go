package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/fsar-gate/fsar/internal/attest"
	"github.com/fsar-gate/fsar/internal/escape"
)

// maxAttestationBytes bounds the attestation file read: a statement for
// thousands of reports is a few MiB.
const maxAttestationBytes = 64 << 20

// VerifyOptions are the options of `fsar verify`.
type VerifyOptions struct {
	*Factory
	Attestation   string
	Key           string
	Identity      string
	Issuer        string
	TrustedRoot   string
	PolicyDigests []string
	MaxAge        time.Duration
	Now           string // --now, RFC 3339; "" is the factory's clock
	Format        string // text or json
	Reports       []string
}

// Verify checks the attestation against the reports: exit 1 with one
// line when a check fails, 2 when the options or files are wrong.
func Verify(ctx context.Context, opts *VerifyOptions) error {
	raw, o, err := opts.read()
	if err != nil {
		return err
	}
	v := attest.Verify(ctx, raw, o)
	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			return err
		}
	}
	if f := v.Failed(); f != nil {
		fmt.Fprintf(opts.IO.ErrOut, "fsar: verify failed: %s: %s\n", f.Name, escape.Terminal(f.Detail))
		return WithCode(ExitFail)
	}
	if opts.Format == "text" {
		fmt.Fprintf(opts.IO.Out, "verified: %d reports %s by %s under policy %s at %s\n",
			len(opts.Reports), v.Result, escape.Terminal(v.Verifier), v.PolicyDigest, v.TimeVerified)
	}
	return nil
}

// read checks the options and reads the files: any problem is exit 2.
func (opts *VerifyOptions) read() (raw []byte, o attest.VerifyOptions, err error) {
	switch {
	case opts.Attestation == "":
		return nil, o, Usagef("verify needs --attestation FILE")
	case len(opts.Reports) == 0:
		return nil, o, Usagef("verify needs the REPORT files the attestation must cover")
	case opts.Format != "text" && opts.Format != "json":
		return nil, o, Usagef("--format %q: expected text or json", opts.Format)
	case opts.MaxAge < 0:
		return nil, o, Usagef("--max-age %s: expected a positive duration", opts.MaxAge)
	case (opts.Key == "") == (opts.Identity == "" && opts.Issuer == ""):
		return nil, o, Usagef("verify needs --key, or --certificate-identity and --certificate-oidc-issuer (not both)")
	case opts.Key == "" && (opts.Identity == "" || opts.Issuer == ""):
		return nil, o, Usagef("keyless verification needs both --certificate-identity and --certificate-oidc-issuer")
	case opts.Key != "" && opts.TrustedRoot != "":
		return nil, o, Usagef("--trusted-root is for keyless verification, not --key")
	}
	for _, d := range opts.PolicyDigests {
		if len(d) != len("sha256:")+64 || d[:7] != "sha256:" {
			return nil, o, Usagef("--policy-digest %q: expected sha256: and 64 hex digits, as fsar check's JSON result records it", d)
		}
	}
	if o.Now, err = ParseNow(opts.Factory.Now, opts.Now); err != nil {
		return nil, o, err
	}
	o.PolicyDigests, o.MaxAge = opts.PolicyDigests, opts.MaxAge
	if raw, err = readBounded(opts.Attestation, maxAttestationBytes); err != nil {
		return nil, o, fmt.Errorf("--attestation: %w", err)
	}
	for _, r := range opts.Reports {
		f, err := attest.HashFile(r)
		if err != nil {
			return nil, o, err
		}
		o.Reports = append(o.Reports, f)
	}
	if opts.Key != "" {
		data, err := attest.ReadKey(opts.Key, opts.Getenv)
		if err == nil {
			o.Key, err = attest.ParsePublicKey(data)
		}
		if err != nil {
			return nil, o, Usagef("--key: %v", err)
		}
		return raw, o, nil
	}
	k := &attest.Keyless{Identity: opts.Identity, Issuer: opts.Issuer}
	if opts.TrustedRoot != "" {
		k.Trusted, err = root.NewTrustedRootFromPath(opts.TrustedRoot)
	} else {
		k.Trusted, err = root.FetchTrustedRoot()
	}
	if err != nil {
		return nil, o, fmt.Errorf("the Sigstore trusted root: %w", err)
	}
	o.Keyless = k
	return raw, o, nil
}

// readBounded reads a whole regular file of at most limit bytes.
func readBounded(name string, limit int64) ([]byte, error) {
	if info, err := os.Stat(name); err != nil {
		return nil, err
	} else if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", name)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = fmt.Errorf("%s: larger than %d MiB", name, limit>>20)
	}
	return b, err
}
