package cli

import (
	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/app"
)

func newVerifyCmd(f *Factory) *cobra.Command {
	opts := &app.VerifyOptions{Factory: f}
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
			return app.Verify(cmd.Context(), opts)
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
