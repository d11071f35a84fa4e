package config

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite policies/fsar-config.schema.json")

var schemaFile = filepath.Join("..", "..", "policies", "fsar-config.schema.json")

// TestSchemaCommitted: the committed schema is the one Schema writes.
func TestSchemaCommitted(t *testing.T) {
	want, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(schemaFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(schemaFile)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%s is not what config.Schema writes (go test ./internal/config -update): %v", schemaFile, err)
	}
}

// TestSchemaAgreesWithParse: documents Parse accepts, the schema accepts;
// documents with a key, type or waiver Parse refuses, it refuses too.
func TestSchemaAgreesWithParse(t *testing.T) {
	raw, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(SchemaID)
	if err != nil {
		t.Fatal(err)
	}
	validate := func(y string) error {
		// As an editor reads YAML (1.2: a date is a string), and as Parse.
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(y), &n); err != nil {
			t.Fatal(err)
		}
		var v any = map[string]any{}
		if len(n.Content) > 0 {
			if v, err = decode(n.Content[0]); err != nil {
				t.Fatal(err)
			}
		}
		b, _ := json.Marshal(v)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		return sch.Validate(inst)
	}
	good := []string{
		"",
		"review_threshold: 20\nblock_threshold: 50\nmax_age_days: 7.5\nmax_waiver_days: 90\n",
		waiver("expires: 2026-12-01\n    ticket: https://jira.example/X-1"),
	}
	parse := func(y string) error {
		f, err := Parse("c.yaml", []byte(y))
		if err == nil {
			err = f.Resolve(nil)
		}
		return err
	}
	for _, y := range good {
		if err := parse(y); err != nil {
			t.Fatalf("Parse refused %q: %v", y, err)
		}
		if err := validate(y); err != nil {
			t.Errorf("the schema refused %q: %v", y, err)
		}
	}
	bad := []string{
		"block_treshold: 10\n",
		"review_threshold: \"5\"\n",
		"max_age_days: -1\n",
		"max_waiver_days: 1.5\n",
		"waivers:\n  - rule: secret\n",
		waiver("expires: next week"),
		waiver("expires: 2026-12-01\n    ticket: jira-12"),
		strings.Replace(waiver("expires: 2026-12-01"), "reports: [fsar_x]", "reports: []", 1),
		waiver("expires: 2026-12-01\n    expiry: 2026-12-01"),
	}
	for _, y := range bad {
		if err := parse(y); err == nil {
			t.Fatalf("Parse accepted %q", y)
		}
		if err := validate(y); err == nil {
			t.Errorf("the schema accepted %q", y)
		}
	}
}
