package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
)

// BuildOptions configure BuildBundle.
type BuildOptions struct {
	// Dir holds the policies: every .rego file under it but the
	// *_test.rego files, and data.json and data.yaml files, whose values
	// are placed at their folder's path in data (as opa build does).
	Dir fs.FS
	// Revision is the manifest's revision.
	Revision string
	// Roots are the manifest's roots; when empty, the packages and data
	// paths the bundle defines (none under another).
	Roots []string
	// SigningKey, when set, is a PEM private key (RSA: RS256, ECDSA:
	// ES256 to ES512 by curve, Ed25519: EdDSA) the bundle is signed with:
	// a .signatures.json with a JWT of every file's hash.
	SigningKey []byte
	// KeyID names the key in the signature ("default" when empty).
	KeyID string
}

// BuildBundle makes an OPA bundle (a gzipped tarball, as opa build writes
// it) of the policies in opts.Dir, after checking them as Load would, and
// returns it with what it holds. Modules are written as they are, so that
// positions in them stay those of the sources.
func BuildBundle(ctx context.Context, opts BuildOptions) ([]byte, BundleInfo, error) {
	var info BundleInfo
	files, err := readSources([]Source{{FS: opts.Dir}})
	if err != nil {
		return nil, info, err
	}
	files = slices.DeleteFunc(files, func(f file) bool { return f.test })
	if len(files) == 0 {
		return nil, info, errors.New("no policy (.rego file other than *_test.rego) to build a bundle of")
	}
	data, err := bundleDataFiles(opts.Dir)
	if err != nil {
		return nil, info, err
	}
	c, _, _, err := compileFiles(ctx, files, data, nil, false, nil)
	if err != nil {
		return nil, info, err
	}
	if _, _, err := inspect(c, false); err != nil {
		return nil, info, err
	}
	roots := slices.Clone(opts.Roots)
	if len(roots) == 0 {
		roots = inferRoots(c, data)
	}
	slices.Sort(roots)
	b := bundle.Bundle{Data: data}
	b.Manifest.Revision = opts.Revision
	b.Manifest.Roots = &roots
	b.Manifest.SetRegoVersion(ast.RegoV1)
	for _, f := range files {
		b.Modules = append(b.Modules, bundle.ModuleFile{URL: f.name, Path: f.name, RelativePath: f.name, Raw: f.src, Parsed: c.Modules[f.name]})
	}
	check := &Bundle{Info: BundleInfo{Roots: roots}, files: files, data: data}
	if err := check.checkDataRoots(); err != nil {
		return nil, info, err
	}
	if err := checkBundleRoots([]*Bundle{check}, c.Modules); err != nil {
		return nil, info, err
	}
	if len(opts.SigningKey) > 0 {
		alg, err := keyAlgorithm(opts.SigningKey)
		if err != nil {
			return nil, info, fmt.Errorf("signing key: %w", err)
		}
		id := opts.KeyID
		if id == "" {
			id = "default"
		}
		if err := b.GenerateSignature(bundle.NewSigningConfig(string(opts.SigningKey), alg, ""), id, false); err != nil {
			return nil, info, fmt.Errorf("signing: %w", err)
		}
	}
	var out bytes.Buffer
	if err := bundle.NewWriter(&out).DisableFormat(true).Write(b); err != nil {
		return nil, info, err
	}
	info = BundleInfo{Revision: opts.Revision, Roots: roots, Verified: len(opts.SigningKey) > 0}
	return out.Bytes(), info, nil
}

// WriteBundleFile builds the bundle of the folder dir (BuildBundle),
// signed with the PEM private key in keyFile when it is not "", and
// writes it to output.
func WriteBundleFile(ctx context.Context, dir, output, keyFile string, opts BuildOptions) (BundleInfo, error) {
	opts.Dir = os.DirFS(dir)
	if keyFile != "" {
		key, err := os.ReadFile(keyFile)
		if err != nil {
			return BundleInfo{}, fmt.Errorf("signing key: %w", err)
		}
		opts.SigningKey = key
	}
	b, info, err := BuildBundle(ctx, opts)
	if err != nil {
		return info, err
	}
	info.Location = output
	return info, os.WriteFile(output, b, 0o644)
}

// bundleDataFiles reads the data.json and data.yaml files under fsys,
// each placed at its folder's path.
func bundleDataFiles(fsys fs.FS) (map[string]any, error) {
	data := map[string]any{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && p != "." && strings.HasPrefix(d.Name(), "."):
			return fs.SkipDir
		case d.IsDir() || !slices.Contains([]string{"data.json", "data.yaml", "data.yml"}, d.Name()):
			return nil
		}
		raw, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		var v any
		if path.Ext(p) == ".json" {
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			err = dec.Decode(&v)
		} else {
			err = yaml.Unmarshal(raw, &v)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		doc := v
		if dir := path.Dir(p); dir != "." {
			segs := strings.Split(dir, "/")
			for i := len(segs) - 1; i >= 0; i-- {
				doc = map[string]any{segs[i]: doc}
			}
		}
		obj, ok := doc.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: the data at the bundle's root must be an object", p)
		}
		return MergeData(data, obj, p)
	})
	return data, err
}

// inferRoots are the packages the modules define and the data's top-level
// paths, none under another.
func inferRoots(c *ast.Compiler, data map[string]any) []string {
	var paths []string
	for _, m := range c.Modules {
		paths = append(paths, strings.Join(refSegments(m.Package.Path), "/"))
	}
	for k := range data {
		paths = append(paths, k)
	}
	slices.Sort(paths)
	paths = slices.Compact(paths)
	var roots []string
	for _, p := range paths {
		if !slices.ContainsFunc(roots, func(r string) bool { return bundle.RootPathsContain([]string{r}, p) }) {
			roots = append(roots, p)
		}
	}
	return roots
}
