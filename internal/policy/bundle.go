package policy

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
)

// OPA bundles.
//
// A policy team publishes one reviewed policy set as an OPA bundle - a
// .tar.gz as `opa build` (or `fsar policy build`) writes it, or a folder
// with a .manifest - and every repository loads it with --bundle, from a
// file or an https:// URL. The bundle is read with OPA's own bundle
// package; with a verification key, its signatures (.signatures.json, a
// JWT with the hash of every file) are verified while it is read, before
// anything in it is parsed or compiled, and an unsigned, changed or
// wrongly signed bundle is an error. Its manifest's roots are the parts
// of data it owns: its modules and data must lie under them, and no other
// bundle, the bundled default policies or a --policy folder may define
// anything that overlaps them. Its revision and roots are recorded with
// the result, beside the digest of everything evaluated.

// Bounds of what a bundle may hold.
const (
	// MaxBundleBytes bounds a bundle file or download, compressed.
	MaxBundleBytes = 32 << 20
	// maxBundleExpanded bounds a tarball's files, uncompressed, together.
	maxBundleExpanded = 128 << 20
	// maxBundleFiles bounds the number of files in a bundle.
	maxBundleFiles = 10000
	// DefaultBundleTimeout bounds the download of one bundle.
	DefaultBundleTimeout = 30 * time.Second
)

// BundleKey verifies bundle signatures: OPA's .signatures.json, a JWT
// signed with the private key of this public key.
type BundleKey struct {
	// File holds the PEM public key (or certificate). RSA keys verify
	// RS256 (opa build's default), ECDSA keys ES256, ES384 or ES512 by
	// their curve, Ed25519 keys EdDSA.
	File string
	// ID is the key id the signature must name ("default" when empty,
	// as opa build writes it).
	ID string
	// Scope, when set, is the scope the signature must name.
	Scope string
}

// BundleInfo is what a result records of a bundle it was judged by.
type BundleInfo struct {
	// Location is the bundle as named: a file, a folder or a URL.
	Location string `json:"location"`
	// Revision is the manifest's revision, "" when it has none.
	Revision string `json:"revision,omitempty"`
	// Roots are the manifest's roots (a bundle without roots owns all of
	// data: [""]).
	Roots []string `json:"roots"`
	// Verified tells whether its signature was verified.
	Verified bool `json:"verified"`
}

// Bundle is a bundle read and checked: its modules and data, to load
// beside the other policies (Options.Bundles).
type Bundle struct {
	Info  BundleInfo
	files []file // its .rego files, named Location/path
	data  map[string]any
}

// readBundle reads a bundle from a folder (fsys at root) or a tarball
// (tarball not nil), verifying it with vc when vc is not nil.
func readBundle(location string, fsys fs.FS, root string, tarball []byte, vc *bundle.VerificationConfig) (*Bundle, error) {
	var loader bundle.DirectoryLoader
	if tarball != nil {
		if err := checkTarball(tarball); err != nil {
			return nil, err
		}
		loader = bundle.NewTarballLoaderWithBaseURL(bytes.NewReader(tarball), "")
	} else {
		// At the root ".", OPA's loader names .signatures.json
		// "/signatures.json" (it trims the root's dot; it restores it for
		// .manifest only), and so would not see the signatures: the
		// folder is read from its own root, its files named from "/".
		if root != "." {
			sub, err := fs.Sub(fsys, root)
			if err != nil {
				return nil, err
			}
			fsys = sub
		}
		loader = bundle.NewFSLoaderWithRoot(fsys, ".").WithPathFormat(bundle.SlashRooted)
	}
	loader = loader.WithSizeLimitBytes(MaxBundleBytes)
	r := bundle.NewCustomReader(loader).
		WithRegoVersion(ast.RegoV1).
		WithCapabilities(sandboxCapabilities()).
		WithSizeLimitBytes(MaxBundleBytes + 1).
		WithSkipBundleVerification(vc == nil)
	if vc != nil {
		r = r.WithBundleVerificationConfig(vc)
	}
	b, err := r.Read()
	if err != nil {
		if vc != nil {
			return nil, fmt.Errorf("not accepted (the signature is verified before anything else is read): %w", err)
		}
		return nil, err
	}
	if b.Type() != bundle.SnapshotBundleType {
		return nil, errors.New("a delta bundle: fsar reads snapshot bundles only")
	}
	if len(b.WasmModules) > 0 || len(b.PlanModules) > 0 {
		return nil, errors.New("holds Wasm or plan modules: fsar evaluates Rego only")
	}
	if v := b.Manifest.RegoVersion; v != nil && *v != 1 {
		return nil, fmt.Errorf("manifest rego_version %d: fsar reads Rego v1 only", *v)
	}
	for p, v := range b.Manifest.FileRegoVersions {
		if v != 1 {
			return nil, fmt.Errorf("manifest file_rego_versions %s: %d: fsar reads Rego v1 only", p, v)
		}
	}
	roots := []string{""}
	if b.Manifest.Roots != nil {
		roots = slices.Clone(*b.Manifest.Roots)
	}
	slices.Sort(roots)
	for i, r := range roots {
		for _, o := range roots[i+1:] {
			if bundle.RootPathsOverlap(r, o) {
				return nil, fmt.Errorf("manifest roots %q and %q overlap", r, o)
			}
		}
	}
	out := &Bundle{
		Info: BundleInfo{Location: location, Revision: b.Manifest.Revision, Roots: roots, Verified: vc != nil},
		data: b.Data,
	}
	for _, m := range b.Modules {
		name := strings.TrimPrefix(path.Clean("/"+m.Path), "/")
		out.files = append(out.files, file{name: location + "/" + name, src: m.Raw, test: isTestFile(name)})
	}
	slices.SortFunc(out.files, func(a, b file) int { return strings.Compare(a.name, b.name) })
	if err := out.checkDataRoots(); err != nil {
		return nil, err
	}
	return out, nil
}

// checkTarball reads a gzipped tarball's headers, bounding its files'
// number and total size before OPA reads it whole into memory.
func checkTarball(b []byte) error {
	gz, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("not a gzipped tarball: %w", err)
	}
	tr := tar.NewReader(io.LimitReader(gz, maxBundleExpanded+1<<20))
	var total int64
	for n := 0; ; n++ {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("not a gzipped tarball: %w", err)
		}
		total += h.Size
		switch {
		case n >= maxBundleFiles:
			return fmt.Errorf("more than %d files", maxBundleFiles)
		case total > maxBundleExpanded:
			return fmt.Errorf("more than %s uncompressed", formatBytes(maxBundleExpanded))
		}
	}
}

// checkDataRoots refuses data outside the bundle's roots.
func (b *Bundle) checkDataRoots() error {
	if b.data == nil {
		return nil
	}
	var walk func(prefix string, v map[string]any) error
	walk = func(prefix string, v map[string]any) error {
		for _, k := range slices.Sorted(maps.Keys(v)) {
			p := strings.TrimPrefix(prefix+"/"+k, "/")
			if bundle.RootPathsContain(b.Info.Roots, p) {
				continue
			}
			sub, ok := v[k].(map[string]any)
			if !ok || !underSomeRoot(b.Info.Roots, p) {
				return fmt.Errorf("data %s is outside the manifest's roots %q", p, b.Info.Roots)
			}
			if err := walk(p, sub); err != nil {
				return err
			}
		}
		return nil
	}
	return walk("", b.data)
}

// underSomeRoot tells whether p is a prefix of one of the roots: data
// there may still hold a root below it.
func underSomeRoot(roots []string, p string) bool {
	for _, r := range roots {
		if strings.HasPrefix(r+"/", p+"/") {
			return true
		}
	}
	return false
}

// bundleFiles adds the bundles' files to files, sorted by name; a name
// twice is an error.
func bundleFiles(files []file, bundles []*Bundle) ([]file, error) {
	if len(bundles) == 0 {
		return files, nil
	}
	seen := map[string]bool{}
	for _, f := range files {
		seen[f.name] = true
	}
	for _, b := range bundles {
		for _, f := range b.files {
			if seen[f.name] {
				return nil, &LoadError{Problems: []Problem{{File: f.name, Msg: "two policy files have this name"}}}
			}
			seen[f.name] = true
			files = append(files, f)
		}
	}
	slices.SortFunc(files, func(a, b file) int { return strings.Compare(a.name, b.name) })
	return files, nil
}

// bundleData merges the bundles' data over a copy of data: each bundle's
// is under its own roots, so two never define the same value.
func bundleData(data map[string]any, bundles []*Bundle) (map[string]any, error) {
	if len(bundles) == 0 {
		return data, nil
	}
	merged := map[string]any{}
	if data != nil {
		if err := roundTrip(data, &merged); err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
	}
	for _, b := range bundles {
		if b.data == nil {
			continue
		}
		own := map[string]any{}
		if err := roundTrip(b.data, &own); err != nil {
			return nil, fmt.Errorf("bundle %s: data: %w", b.Info.Location, err)
		}
		if err := MergeData(merged, own, "bundle "+b.Info.Location); err != nil {
			return nil, err
		}
	}
	return merged, nil
}

// checkBundleRoots checks the modules against the bundles' roots: a
// bundle's modules are under its roots, and nothing else (another bundle,
// the default policies, a --policy folder) defines a package that
// overlaps them.
func checkBundleRoots(bundles []*Bundle, modules map[string]*ast.Module) error {
	var problems []Problem
	owner := map[string]*Bundle{}
	for _, b := range bundles {
		for _, f := range b.files {
			owner[f.name] = b
		}
	}
	for i, b := range bundles {
		for _, o := range bundles[i+1:] {
			for _, r := range b.Info.Roots {
				for _, s := range o.Info.Roots {
					if bundle.RootPathsOverlap(r, s) {
						problems = append(problems, Problem{Msg: fmt.Sprintf(
							"bundles %s and %s both claim data: their roots %q and %q overlap", b.Info.Location, o.Info.Location, r, s)})
					}
				}
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(modules)) {
		m := modules[name]
		pkg := strings.Join(refSegments(m.Package.Path), "/")
		if b := owner[name]; b != nil {
			if !bundle.RootPathsContain(b.Info.Roots, pkg) {
				problems = append(problems, locProblem(m.Package.Location, fmt.Sprintf(
					"package %s is outside the roots %q of its bundle's manifest", packageName(m.Package.Path), b.Info.Roots)))
			}
			continue
		}
		for _, b := range bundles {
			for _, r := range b.Info.Roots {
				if bundle.RootPathsOverlap(r, pkg) {
					problems = append(problems, locProblem(m.Package.Location, fmt.Sprintf(
						"package %s overlaps the root %q of bundle %s: a bundle owns its roots, and nothing else may define them",
						packageName(m.Package.Path), r, b.Info.Location)))
				}
			}
		}
	}
	if len(problems) > 0 {
		return &LoadError{Problems: problems}
	}
	return nil
}

// refSegments renders a package path (data.a.b) as its segments (a, b).
func refSegments(ref ast.Ref) []string {
	var out []string
	for _, t := range ref[1:] {
		if s, ok := t.Value.(ast.String); ok {
			out = append(out, string(s))
		} else {
			out = append(out, t.String())
		}
	}
	return out
}

// verificationConfig makes OPA's verification configuration from a PEM
// public key.
func verificationConfig(key []byte, k BundleKey) (*bundle.VerificationConfig, error) {
	alg, err := keyAlgorithm(key)
	if err != nil {
		return nil, err
	}
	id := k.ID
	if id == "" {
		id = "default"
	}
	keys := map[string]*bundle.KeyConfig{id: {Key: string(key), Algorithm: alg}}
	return bundle.NewVerificationConfig(keys, id, k.Scope, nil), nil
}

// keyAlgorithm picks the JWT algorithm for a PEM public key (or
// certificate, or private key when signing: signer true).
func keyAlgorithm(key []byte) (string, error) {
	block, _ := pem.Decode(key)
	if block == nil {
		return "", errors.New("not a PEM key")
	}
	var pub any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			pub = cert.PublicKey
		}
	case "PRIVATE KEY":
		pub, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		pub, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		pub, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return "", fmt.Errorf("a PEM %s, not a key", block.Type)
	}
	if err != nil {
		return "", err
	}
	switch k := pub.(type) {
	case *rsa.PublicKey, *rsa.PrivateKey:
		return "RS256", nil
	case *ecdsa.PublicKey:
		return ecAlgorithm(k.Curve)
	case *ecdsa.PrivateKey:
		return ecAlgorithm(k.Curve)
	case ed25519.PublicKey, ed25519.PrivateKey:
		return "EdDSA", nil
	}
	return "", fmt.Errorf("a %T key: expected RSA, ECDSA or Ed25519", pub)
}

func ecAlgorithm(c elliptic.Curve) (string, error) {
	switch c {
	case elliptic.P256():
		return "ES256", nil
	case elliptic.P384():
		return "ES384", nil
	case elliptic.P521():
		return "ES512", nil
	}
	return "", fmt.Errorf("an ECDSA key on %s: expected P-256, P-384 or P-521", c.Params().Name)
}

// urlRE tells a URL from a path.
var urlRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// isURL tells whether a --bundle location is a URL.
func isURL(location string) bool { return urlRE.MatchString(location) }

// fetchBundle downloads a bundle over HTTPS, within MaxBundleBytes and the
// client's timeout (DefaultBundleTimeout when the client has none). A
// redirect must stay on HTTPS.
func fetchBundle(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	if !strings.HasPrefix(url, "https://") {
		return nil, errors.New("only https:// URLs are fetched")
	}
	c := http.Client{Timeout: DefaultBundleTimeout}
	if client != nil {
		c = *client
		if c.Timeout == 0 {
			c.Timeout = DefaultBundleTimeout
		}
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != "https" {
			return fmt.Errorf("redirected to %s: only https:// is followed", req.URL.Redacted())
		}
		if len(via) >= 5 {
			return errors.New("more than 5 redirects")
		}
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBundleBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxBundleBytes {
		return nil, fmt.Errorf("larger than %s", formatBytes(MaxBundleBytes))
	}
	return b, nil
}
