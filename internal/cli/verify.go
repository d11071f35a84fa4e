package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/attest"
	"github.com/fsar-gate/fsar/internal/escape"
)

// maxAttestationBytes bounds the attestation file read: a statement for
// thousands of reports is a few MiB.
const maxAttestationBytes = 64 << 20

type verifyOptions struct {
	*Factory
	Attestation    string
	Key            string
	Identity       string
	Issuer         string
	TrustedRoot    string
	PolicyDigests  []string
	MaxAge         time.Duration
	Now            string
	Format         string
	Reports        []string
	now            time.Time
	verifyOptions  attest.VerifyOptions
	attestationRaw []byte
}

func newVerifyCmd(f *Factory) *cobra.Command {
	opts := &verifyOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "verify --attestation FILE (--key PUB | --certificate-identity ID --certificate-oidc-issuer URL) REPORT...",
		Short: "Check a signed verdict before executing a proposal: exit 0 only when it holds",
		Long: `Check a signed fsar verdict attestation against the report files about to be
executed: the guard an executor runs first.

The attestation is a DSSE envelope signed with a key (fsar check --sign-key),
verified with --key, or a Sigstore bundle (actions/attest, cosign), verified
against the Sigstore trusted root (--trusted-root, by default the public-good
instance's, fetched by TUF) with the signer's certificate identity and OIDC
issuer matched exactly.

It passes only when every check holds, in this order: the signature; the
payload type (an in-toto statement); the statement (a verification summary
by fsar); the subjects (every REPORT given is a subject with the same
sha256: a report changed after judging, or an attestation of another report,
fails); the result (PASSED); the policy (one of --policy-digest, when given);
the age (verified within --max-age of --now, and not in the future).

Exit status: 0 when verified; 1 when a check failed, with one line saying
which and why; 2 on a usage error or a file that cannot be read.`,
		Example: `  # with the public key that signed the statement
  fsar verify --attestation fsar.intoto.jsonl --key fsar.pub \
    --policy-digest sha256:652827cc... --max-age 24h audit/reports/fsar_proposal_x.md

  # an actions/attest bundle, signed by the repository's workflow on main
  fsar verify --attestation bundle.json \
    --certificate-identity https://github.com/octo-org/reports/.github/workflows/fsar.yml@refs/heads/main \
    --certificate-oidc-issuer https://token.actions.githubusercontent.com \
    audit/reports/fsar_proposal_x.md`,
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			opts.Reports = args
			if err := opts.parse(); err != nil {
				return err
			}
			return verifyRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Attestation, "attestation", "", "the attestation: a DSSE envelope or a Sigstore bundle (required)")
	fl.StringVar(&opts.Key, "key", "", "PEM public key (ECDSA P-256 or Ed25519) that signed the DSSE envelope")
	fl.StringVar(&opts.Identity, "certificate-identity", "", "keyless: the signer's certificate identity (SAN), matched exactly")
	fl.StringVar(&opts.Issuer, "certificate-oidc-issuer", "", "keyless: the signer's OIDC issuer, matched exactly")
	fl.StringVar(&opts.TrustedRoot, "trusted-root", "", "keyless: Sigstore trusted root JSON (default: the public-good instance's, fetched by TUF; for GitHub's own instance: gh attestation trusted-root)")
	fl.StringArrayVar(&opts.PolicyDigests, "policy-digest", nil, "a policy set the verdict may have been reached under, sha256:HEX (repeatable; default: any)")
	fl.DurationVar(&opts.MaxAge, "max-age", 0, "how long ago the verdict may have been reached (default: any age)")
	fl.StringVar(&opts.Now, "now", "", "the time to measure the age against, RFC 3339 (default: the current time)")
	fl.StringVarP(&opts.Format, "format", "o", "text", "output: text (one line), or json (every check made)")
	return cmd
}

// parse checks the flags and reads the files: any problem is exit 2.
func (opts *verifyOptions) parse() (err error) {
	switch {
	case opts.Attestation == "":
		return usagef("verify needs --attestation FILE")
	case len(opts.Reports) == 0:
		return usagef("verify needs the REPORT files the attestation must cover")
	case opts.Format != "text" && opts.Format != "json":
		return usagef("--format %q: expected text or json", opts.Format)
	case opts.MaxAge < 0:
		return usagef("--max-age %s: expected a positive duration", opts.MaxAge)
	case (opts.Key == "") == (opts.Identity == "" && opts.Issuer == ""):
		return usagef("verify needs --key, or --certificate-identity and --certificate-oidc-issuer (not both)")
	case opts.Key == "" && (opts.Identity == "" || opts.Issuer == ""):
		return usagef("keyless verification needs both --certificate-identity and --certificate-oidc-issuer")
	case opts.Key != "" && opts.TrustedRoot != "":
		return usagef("--trusted-root is for keyless verification, not --key")
	}
	for _, d := range opts.PolicyDigests {
		if len(d) != len("sha256:")+64 || d[:7] != "sha256:" {
			return usagef("--policy-digest %q: expected sha256: and 64 hex digits, as fsar check's JSON result records it", d)
		}
	}
	if opts.now, err = parseNow(opts.Factory.Now, opts.Now); err != nil {
		return err
	}
	o := &opts.verifyOptions
	o.PolicyDigests, o.MaxAge, o.Now = opts.PolicyDigests, opts.MaxAge, opts.now
	if opts.attestationRaw, err = readBounded(opts.Attestation, maxAttestationBytes); err != nil {
		return fmt.Errorf("--attestation: %w", err)
	}
	for _, r := range opts.Reports {
		f, err := attest.HashFile(r)
		if err != nil {
			return err
		}
		o.Reports = append(o.Reports, f)
	}
	if opts.Key != "" {
		data, err := attest.ReadKey(opts.Key, opts.Getenv)
		if err == nil {
			o.Key, err = attest.ParsePublicKey(data)
		}
		if err != nil {
			return usagef("--key: %v", err)
		}
		return nil
	}
	k := &attest.Keyless{Identity: opts.Identity, Issuer: opts.Issuer}
	if opts.TrustedRoot != "" {
		k.Trusted, err = root.NewTrustedRootFromPath(opts.TrustedRoot)
	} else {
		k.Trusted, err = root.FetchTrustedRoot()
	}
	if err != nil {
		return fmt.Errorf("the Sigstore trusted root: %w", err)
	}
	o.Keyless = k
	return nil
}

func verifyRun(ctx context.Context, opts *verifyOptions) error {
	v := attest.Verify(ctx, opts.attestationRaw, opts.verifyOptions)
	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			return err
		}
	}
	if f := v.Failed(); f != nil {
		fmt.Fprintf(opts.IO.ErrOut, "fsar: verify failed: %s: %s\n", f.Name, escape.Terminal(f.Detail))
		return withCode(ExitFail)
	}
	if opts.Format == "text" {
		fmt.Fprintf(opts.IO.Out, "verified: %d reports %s by %s under policy %s at %s\n",
			len(opts.Reports), v.Result, escape.Terminal(v.Verifier), v.PolicyDigest, v.TimeVerified)
	}
	return nil
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
