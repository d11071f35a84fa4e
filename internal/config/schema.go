package config

import (
	"encoding/json"
	"slices"
)

// SchemaID is where the configuration's JSON Schema is published: the
// file policies/fsar-config.schema.json of the repository (Schema writes
// it; a test holds the two equal).
const SchemaID = "https://raw.githubusercontent.com/fsar-gate/fsar/main/policies/fsar-config.schema.json"

// Schema is the JSON Schema (draft 2020-12) of a configuration file with
// fsar's own keys: editors that read yaml-language-server modelines
// check .fsar.yaml against it as it is typed. Keys that policies declare
// are not in it. The cross-key rules (review_threshold below
// block_threshold) are fsar's alone.
func Schema() ([]byte, error) {
	props := map[string]any{}
	for _, k := range Core {
		props[k.Name] = keySchema(k)
	}
	doc := map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  SchemaID,
		"title":                "fsar configuration (.fsar.yaml)",
		"description":          "Thresholds of the default policies, and waivers. fsar refuses unknown keys; keys your own policies declare (custom.config) are accepted by fsar but not listed here.",
		"type":                 "object",
		"additionalProperties": false,
		"properties":           props,
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	return append(b, '\n'), err
}

func keySchema(k Key) map[string]any {
	s := map[string]any{"description": k.Description}
	if k.Default != nil {
		s["default"] = k.Default
	}
	switch k.Type {
	case Number:
		s["type"] = "number"
	case NonNegative:
		s["type"], s["minimum"] = "number", 0
	case Positive:
		s["type"], s["minimum"] = "integer", 1
	case WaiverList:
		s["type"] = "array"
		s["items"] = map[string]any{
			"type":                 "object",
			"additionalProperties": false,
			"required":             slices.Clone(waiverFields[:5]),
			"properties": map[string]any{
				"rule":        map[string]any{"type": "string", "minLength": 1, "description": "the rule id whose findings are accepted (fsar policy doc lists them, and which may be waived)"},
				"reports":     map[string]any{"type": "array", "minItems": 1, "items": map[string]any{"type": "string", "minLength": 1}, "description": "report ids, and repository paths or globs (** for any folders; a pattern without a slash matches the file name)"},
				"reason":      map[string]any{"type": "string", "minLength": 1},
				"approved_by": map[string]any{"type": "string", "minLength": 1},
				"expires":     map[string]any{"type": "string", "pattern": `^\d{4}-\d{2}-\d{2}$`, "description": "the last day the waiver holds, YYYY-MM-DD; at most max_waiver_days ahead"},
				"ticket":      map[string]any{"type": "string", "pattern": "^https?://", "description": "a link to the decision"},
			},
		}
	}
	return s
}
