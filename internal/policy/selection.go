package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/bundle"
	"gopkg.in/yaml.v3"

	"github.com/fsar-gate/fsar/internal/config"
	"github.com/fsar-gate/fsar/internal/gitfs"
	"github.com/fsar-gate/fsar/policies"
)

// DefaultConfigFile is read when --config is not given and it exists.
const DefaultConfigFile = ".fsar.yaml"

// Selection chooses the policies, data and configuration a run uses: the
// bundled default policies (unless NoDefault), folders and files of
// Rego, data documents and a configuration file — from the working tree,
// or as they are at a git revision (Ref), so that a pull request is judged
// by its base branch's policies.
type Selection struct {
	Policies []string
	Data     []string
	Config   string
	// Waivers is a YAML file of waivers (waivers: [...]), beside those of
	// the configuration.
	Waivers   string
	NoDefault bool
	// Ref, when set, is the git revision the --policy folders, the
	// configuration and the --data files are read at, instead of the
	// working tree: a pull request is judged by its base branch's policies.
	Ref string
	// Limits bound the evaluations of Load's engine and of Test (zero
	// values: the defaults, 5s per evaluation and a 160 MiB heap).
	Limits Limits
	// Bundles are OPA bundles to load beside the policies: .tar.gz files,
	// folders (read at Ref, like the policies) or https:// URLs.
	Bundles []string
	// BundleKey, when its File is set, verifies every bundle's signature
	// before anything in it is read; its File is read at Ref too.
	BundleKey BundleKey
	// HTTPClient fetches the bundles named by URL (nil: a client with
	// DefaultBundleTimeout).
	HTTPClient *http.Client
}

// Selected is a selection opened: its files are read from the working
// tree, or from the snapshot of them taken at Ref when it was opened.
type Selected struct {
	Selection
	snap  *gitfs.Snapshot
	files repoFiles // the working tree's files, when snap is nil
}

// Open opens the selection: with Ref, it reads the policy, data and
// configuration files as they are at that revision, once.
func (s Selection) Open(ctx context.Context) (*Selected, error) {
	if s.NoDefault && len(s.Policies) == 0 && len(s.Bundles) == 0 {
		return nil, errors.New("--no-default-policies needs at least one --policy folder or --bundle")
	}
	p := &Selected{Selection: s}
	if s.Ref == "" {
		var err error
		p.files, err = newRepoFiles(ctx)
		return p, err
	}
	snap, err := gitfs.Take(ctx, ".", s.Ref, s.paths())
	if err != nil {
		return nil, fmt.Errorf("--policy-ref: %w", err)
	}
	p.snap = snap
	return p, nil
}

// Revision is the commit the policies were read at, or "" for the working
// tree.
func (p *Selected) Revision() string {
	if p.snap == nil {
		return ""
	}
	return p.snap.Commit
}

// Changed lists the policy and configuration files the working
// tree changes against Ref: a pull request's own policy changes, which take
// effect only once merged.
func (p *Selected) Changed(ctx context.Context) ([]string, error) {
	if p.Ref == "" {
		return nil, nil
	}
	return gitfs.Changed(ctx, ".", p.Ref, p.paths())
}

// files are the selection's files and folders: policies, data,
// configuration and waivers.
func (p Selection) paths() []string {
	paths := append(append([]string{}, p.Policies...), p.Data...)
	paths = append(paths, p.configPath())
	if p.Waivers != "" {
		paths = append(paths, p.Waivers)
	}
	for _, b := range p.Bundles {
		if !isURL(b) {
			paths = append(paths, b)
		}
	}
	if p.BundleKey.File != "" {
		paths = append(paths, p.BundleKey.File)
	}
	return paths
}

// Test runs the Rego tests of the selection's policies, with its data
// (see Test; o's Sources and Data are the selection's, and so are its
// Limits when o's are zero).
func (p *Selected) Test(ctx context.Context, o TestOptions) (*TestReport, error) {
	if err := p.testOptions(&o); err != nil {
		return nil, err
	}
	return Test(ctx, o)
}

// Mutate runs mutation testing on the selection's policies with their
// tests (see Mutate; o's Sources, Data and zero Limits as for Test).
func (p *Selected) Mutate(ctx context.Context, o MutateOptions) (*MutationReport, error) {
	if err := p.testOptions(&o.TestOptions); err != nil {
		return nil, err
	}
	return Mutate(ctx, o)
}

// testOptions gives o the selection's sources and data, and its limits
// when o has none.
func (p *Selected) testOptions(o *TestOptions) error {
	if o.Limits == (Limits{}) {
		o.Limits = p.Limits
	}
	var err error
	if o.Sources, err = p.Sources(); err != nil {
		return err
	}
	o.Data, err = p.DataDocs()
	return err
}

// ChangeNotices say, when the working tree changes policy or
// configuration files against Ref (a pull request's own policy changes),
// that they take effect only once merged.
func (p *Selected) ChangeNotices(ctx context.Context) ([]string, error) {
	changed, err := p.Changed(ctx)
	if err != nil || len(changed) == 0 {
		return nil, err
	}
	return []string{fmt.Sprintf("this change modifies policy files (%s); they take effect only once merged: the reports were judged by the policies at %s (%s)",
		strings.Join(changed, ", "), p.Ref, p.Revision())}, nil
}

func (p Selection) configPath() string {
	if p.Config != "" {
		return p.Config
	}
	return DefaultConfigFile
}

// stat describes a file or folder, in the working tree or
// at Ref.
func (p *Selected) stat(name string) (fs.FileInfo, error) {
	if p.snap != nil {
		return fs.Stat(p.snap.FS, gitName(name))
	}
	if err := p.files.check(name); err != nil {
		return nil, err
	}
	return os.Stat(name)
}

// gitName is a path as the snapshot names it.
func gitName(name string) string { return path.Clean(filepath.ToSlash(strings.TrimPrefix(name, "./"))) }

// readFile reads a file from the working tree or at Ref.
func (p *Selected) readFile(name string) ([]byte, error) {
	if p.snap != nil {
		b, err := fs.ReadFile(p.snap.FS, gitName(name))
		if err != nil {
			return nil, fmt.Errorf("%s at %s: %w", name, p.Ref, unwrapPath(err))
		}
		return b, nil
	}
	b, err := p.files.readFile(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, unwrapPath(err))
	}
	return b, nil
}

// Sources returns the policy sources the selection chooses.
func (p *Selected) Sources() ([]Source, error) {
	var srcs []Source
	if !p.NoDefault {
		srcs = append(srcs, Source{Name: "policies", FS: policies.FS})
	}
	for _, dir := range p.Policies {
		info, err := p.stat(dir)
		if err != nil {
			where := ""
			if p.Ref != "" {
				where = " at " + p.Ref
			}
			return nil, fmt.Errorf("--policy %s%s: %w", dir, where, unwrapPath(err))
		}
		switch {
		case p.snap != nil:
			srcs = append(srcs, Source{Name: dir, FS: p.snap.FS, Root: gitName(dir)})
		case !info.IsDir():
			srcs = append(srcs, Source{Name: filepath.Dir(dir), FS: p.files.dirFS(filepath.Dir(dir)), Root: filepath.Base(dir)})
		default:
			srcs = append(srcs, Source{Name: dir, FS: p.files.dirFS(dir)})
		}
	}
	if len(srcs) == 0 && len(p.Bundles) == 0 {
		return nil, errors.New("--no-default-policies needs at least one --policy folder or --bundle")
	}
	return srcs, nil
}

// Configuration reads the configuration file, the one named or
// .fsar.yaml when it exists, and the waivers file, strictly (see package
// config). No file gives every default. The keys the policies declare
// are checked once they are compiled (Load).
func (p *Selected) Configuration() (*config.File, error) {
	f := config.Empty()
	if p.Config == "" {
		// Only a file that is not there at all means the defaults: one
		// that cannot be used is an error, not an empty configuration.
		if _, err := p.stat(DefaultConfigFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", DefaultConfigFile, unwrapPath(err))
		}
	}
	if p.Config != "" || p.exists(DefaultConfigFile) {
		raw, err := p.readFile(p.configPath())
		if err != nil {
			return nil, err
		}
		if f, err = config.Parse(p.configPath(), raw); err != nil {
			return nil, err
		}
	}
	if p.Waivers != "" {
		raw, err := p.readFile(p.Waivers)
		if err != nil {
			return nil, fmt.Errorf("--waivers: %w", err)
		}
		if err := f.AddWaivers(p.Waivers, raw); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func (p *Selected) exists(name string) bool {
	_, err := p.stat(name)
	return err == nil
}

// DataDocs reads and merges the --data documents.
func (p *Selected) DataDocs() (map[string]any, error) {
	merged := map[string]any{}
	for _, name := range p.Data {
		doc, err := p.readDocument(name)
		if err != nil {
			return nil, err
		}
		if err := MergeData(merged, doc, name); err != nil {
			return nil, err
		}
	}
	return merged, nil
}

// readDocument reads a JSON or YAML file holding one object.
func (p *Selected) readDocument(name string) (map[string]any, error) {
	raw, err := p.readFile(name)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if strings.EqualFold(filepath.Ext(name), ".json") {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			return nil, fmt.Errorf("%s: invalid JSON: %w", name, err)
		}
	} else if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: invalid YAML: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if doc == nil {
		doc = map[string]any{}
	}
	return doc, nil
}

// Load compiles the policies the selection chooses, with its data and
// configuration, to evaluate at now.
func (p *Selected) Load(ctx context.Context, now time.Time) (*Engine, error) {
	srcs, err := p.Sources()
	if err != nil {
		return nil, err
	}
	cfg, err := p.Configuration()
	if err != nil {
		return nil, err
	}
	data, err := p.DataDocs()
	if err != nil {
		return nil, err
	}
	bundles, err := p.ReadBundles(ctx)
	if err != nil {
		return nil, err
	}
	e, err := Load(ctx, Options{Sources: srcs, Data: data, Config: cfg.Values, Now: now, Limits: p.Limits, Bundles: bundles})
	if err != nil {
		return nil, err
	}
	if err := cfg.Resolve(e.keys); err != nil {
		return nil, err
	}
	ids := make([]string, len(e.rules))
	for i, r := range e.rules {
		ids[i] = r.ID
	}
	if err := cfg.CheckWaivers(now, e.RuleInfo, ids); err != nil {
		return nil, err
	}
	e.config = cfg
	return e, nil
}

// ReadBundles reads the --bundle locations, verifying each with the
// BundleKey when it is set: from the working tree or at Ref, or over
// HTTPS.
func (p *Selected) ReadBundles(ctx context.Context) ([]*Bundle, error) {
	if len(p.Bundles) == 0 {
		return nil, nil
	}
	var vc *bundle.VerificationConfig
	if k := p.BundleKey; k.File != "" {
		key, err := p.readFile(k.File)
		if err != nil {
			return nil, fmt.Errorf("--verification-key %w", err)
		}
		if vc, err = verificationConfig(key, k); err != nil {
			return nil, fmt.Errorf("--verification-key %s: %w", k.File, err)
		}
	}
	var out []*Bundle
	for _, loc := range p.Bundles {
		b, err := p.readBundle(ctx, loc, vc)
		if err != nil {
			return nil, fmt.Errorf("--bundle %s: %w", loc, err)
		}
		out = append(out, b)
	}
	return out, nil
}

// readBundle reads one bundle: a URL, a folder or a tarball.
func (p *Selected) readBundle(ctx context.Context, loc string, vc *bundle.VerificationConfig) (*Bundle, error) {
	if isURL(loc) {
		data, err := fetchBundle(ctx, p.HTTPClient, loc)
		if err != nil {
			return nil, err
		}
		return readBundle(loc, nil, "", data, vc)
	}
	info, err := p.stat(loc)
	if err != nil {
		return nil, unwrapPath(err)
	}
	switch {
	case info.IsDir() && p.snap != nil:
		return readBundle(loc, p.snap.FS, gitName(loc), nil, vc)
	case info.IsDir():
		return readBundle(loc, p.files.dirFS(loc), ".", nil, vc)
	case info.Size() > MaxBundleBytes:
		return nil, fmt.Errorf("larger than %s", formatBytes(MaxBundleBytes))
	}
	data, err := p.readFile(loc)
	if err != nil {
		return nil, err
	}
	return readBundle(loc, nil, "", data, vc)
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
