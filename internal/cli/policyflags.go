package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

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
}

func (p *policyFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVarP(&p.Policies, "policy", "p", nil, "folder of Rego policies to add to the default bundle (repeatable)")
	fl.StringArrayVarP(&p.Data, "data", "d", nil, "JSON or YAML document to merge into data (repeatable)")
	fl.StringVarP(&p.Config, "config", "c", "", "configuration file, read as data.fsar.config (default .fsar.yaml when it exists)")
	fl.BoolVar(&p.NoDefault, "no-default-policies", false, "use only the --policy folders, not the bundled default policies")
}

// sources returns the policy sources the flags choose.
func (p *policyFlags) sources() ([]policy.Source, error) {
	var srcs []policy.Source
	if !p.NoDefault {
		srcs = append(srcs, policy.Source{Name: "policies", FS: policies.FS})
	}
	for _, dir := range p.Policies {
		info, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("--policy %s: %w", dir, unwrapPath(err))
		}
		if !info.IsDir() {
			srcs = append(srcs, policy.Source{Name: filepath.Dir(dir), FS: os.DirFS(filepath.Dir(dir)), Root: filepath.Base(dir)})
			continue
		}
		srcs = append(srcs, policy.Source{Name: dir, FS: os.DirFS(dir)})
	}
	if len(srcs) == 0 {
		return nil, usagef("--no-default-policies needs at least one --policy folder")
	}
	return srcs, nil
}

// config reads the configuration file: the one named, or .fsar.yaml when it
// exists. No file gives an empty configuration: the policies' defaults.
func (p *policyFlags) config() (map[string]any, string, error) {
	path := p.Config
	if path == "" {
		if _, err := os.Stat(DefaultConfigFile); err != nil {
			return map[string]any{}, "", nil
		}
		path = DefaultConfigFile
	}
	doc, err := readDocument(path)
	if err != nil {
		return nil, path, err
	}
	return doc, path, nil
}

// data reads and merges the --data documents.
func (p *policyFlags) data() (map[string]any, error) {
	merged := map[string]any{}
	for _, path := range p.Data {
		doc, err := readDocument(path)
		if err != nil {
			return nil, err
		}
		if err := policy.MergeData(merged, doc, path); err != nil {
			return nil, err
		}
	}
	return merged, nil
}

// readDocument reads a JSON or YAML file holding one object.
func readDocument(path string) (map[string]any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	var doc map[string]any
	if strings.EqualFold(filepath.Ext(path), ".json") {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			return nil, fmt.Errorf("%s: invalid JSON: %w", path, err)
		}
	} else if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: invalid YAML: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if doc == nil {
		doc = map[string]any{}
	}
	return doc, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
