package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/fsar-gate/fsar/internal/gitfs"
	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/policies"
)

// DefaultConfigFile is read when --config is not given and it exists.
const DefaultConfigFile = ".fsar.yaml"

// policyFlags are the flags that choose policies, data and configuration,
// shared by every command that evaluates policies.
type policyFlags struct {
	Policies  []string
	Data      []string
	Config    string
	NoDefault bool
	// Ref, when set, is the git revision the --policy folders, the
	// configuration and the --data files are read at, instead of the
	// working tree: a pull request is judged by its base branch's policies.
	Ref string

	snap *gitfs.Snapshot // taken by prepare when Ref is set
}

func (p *policyFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVarP(&p.Policies, "policy", "p", nil, "folder of Rego policies to add to the default bundle (repeatable)")
	fl.StringArrayVarP(&p.Data, "data", "d", nil, "JSON or YAML document to merge into data (repeatable)")
	fl.StringVarP(&p.Config, "config", "c", "", "configuration file, read as data.fsar.config (default .fsar.yaml when it exists)")
	fl.BoolVar(&p.NoDefault, "no-default-policies", false, "use only the --policy folders, not the bundled default policies")
	fl.StringVar(&p.Ref, "policy-ref", "", "read --policy, --config and --data as they are at this git revision (e.g. origin/main), not in the working tree")
}

// prepare reads the policy files at Ref, once, when Ref is set.
func (p *policyFlags) prepare(ctx context.Context) error {
	if p.Ref == "" || p.snap != nil {
		return nil
	}
	paths := append(append([]string{}, p.Policies...), p.Data...)
	paths = append(paths, p.configPath())
	snap, err := gitfs.Take(ctx, ".", p.Ref, paths)
	if err != nil {
		return fmt.Errorf("--policy-ref: %w", err)
	}
	p.snap = snap
	return nil
}

// Revision is the commit the policies were read at, or "" for the working
// tree.
func (p *policyFlags) Revision() string {
	if p.snap == nil {
		return ""
	}
	return p.snap.Commit
}

// changedPolicies lists the policy and configuration files the working
// tree changes against Ref: a pull request's own policy changes, which take
// effect only once merged.
func (p *policyFlags) changedPolicies(ctx context.Context) ([]string, error) {
	if p.Ref == "" {
		return nil, nil
	}
	paths := append(append([]string{}, p.Policies...), p.Data...)
	paths = append(paths, p.configPath())
	return gitfs.Changed(ctx, ".", p.Ref, paths)
}

func (p *policyFlags) configPath() string {
	if p.Config != "" {
		return p.Config
	}
	return DefaultConfigFile
}

// exists tells whether a file or folder is there, in the working tree or
// at Ref.
func (p *policyFlags) stat(name string) (fs.FileInfo, error) {
	if p.snap != nil {
		return fs.Stat(p.snap.FS, gitName(name))
	}
	return os.Stat(name)
}

// gitName is a path as the snapshot names it.
func gitName(name string) string { return path.Clean(filepath.ToSlash(strings.TrimPrefix(name, "./"))) }

// readFile reads a file from the working tree or at Ref.
func (p *policyFlags) readFile(name string) ([]byte, error) {
	if p.snap != nil {
		b, err := fs.ReadFile(p.snap.FS, gitName(name))
		if err != nil {
			return nil, fmt.Errorf("%s at %s: %w", name, p.Ref, unwrapPath(err))
		}
		return b, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, unwrapPath(err))
	}
	return b, nil
}

// sources returns the policy sources the flags choose.
func (p *policyFlags) sources() ([]policy.Source, error) {
	var srcs []policy.Source
	if !p.NoDefault {
		srcs = append(srcs, policy.Source{Name: "policies", FS: policies.FS})
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
			srcs = append(srcs, policy.Source{Name: dir, FS: p.snap.FS, Root: gitName(dir)})
		case !info.IsDir():
			srcs = append(srcs, policy.Source{Name: filepath.Dir(dir), FS: os.DirFS(filepath.Dir(dir)), Root: filepath.Base(dir)})
		default:
			srcs = append(srcs, policy.Source{Name: dir, FS: os.DirFS(dir)})
		}
	}
	if len(srcs) == 0 {
		return nil, usagef("--no-default-policies needs at least one --policy folder")
	}
	return srcs, nil
}

// config reads the configuration file: the one named, or .fsar.yaml when it
// exists. No file gives an empty configuration: the policies' defaults.
func (p *policyFlags) config() (map[string]any, error) {
	if p.Config == "" {
		if _, err := p.stat(DefaultConfigFile); err != nil {
			return map[string]any{}, nil
		}
	}
	return p.readDocument(p.configPath())
}

// data reads and merges the --data documents.
func (p *policyFlags) data() (map[string]any, error) {
	merged := map[string]any{}
	for _, name := range p.Data {
		doc, err := p.readDocument(name)
		if err != nil {
			return nil, err
		}
		if err := policy.MergeData(merged, doc, name); err != nil {
			return nil, err
		}
	}
	return merged, nil
}

// readDocument reads a JSON or YAML file holding one object.
func (p *policyFlags) readDocument(name string) (map[string]any, error) {
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

// loadEngine compiles the policies the flags choose, once.
func loadEngine(cmd *cobra.Command, pf *policyFlags, now time.Time) (*policy.Engine, error) {
	if err := pf.prepare(cmd.Context()); err != nil {
		return nil, err
	}
	srcs, err := pf.sources()
	if err != nil {
		return nil, err
	}
	cfg, err := pf.config()
	if err != nil {
		return nil, err
	}
	data, err := pf.data()
	if err != nil {
		return nil, err
	}
	return policy.Load(cmd.Context(), policy.Options{Sources: srcs, Data: data, Config: cfg, Now: now})
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
