package policy

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/util"
)

// MergeData merges the document src (read from the file name, used in
// errors) into dst at the data root. Objects merge key by key; any other
// value defined twice is a conflict and an error, as is a document that
// defines data.fsar.config, which is reserved for configuration.
func MergeData(dst, src map[string]any, name string) error {
	if err := checkReserved(src); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := mergeInto(dst, src, "data"); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func mergeInto(dst, src map[string]any, at string) error {
	for _, k := range slices.Sorted(maps.Keys(src)) {
		sv := src[k]
		dv, ok := dst[k]
		if !ok {
			dst[k] = sv
			continue
		}
		dm, dok := dv.(map[string]any)
		sm, sok := sv.(map[string]any)
		if !dok || !sok {
			return fmt.Errorf("%s is defined twice", joinPath(at, k))
		}
		if err := mergeInto(dm, sm, joinPath(at, k)); err != nil {
			return err
		}
	}
	return nil
}

func joinPath(at, k string) string {
	if k != "" && !strings.ContainsAny(k, ".[]\" ") {
		return at + "." + k
	}
	b, _ := json.Marshal(k)
	return at + "[" + string(b) + "]"
}

// checkReserved rejects a data document that defines data.fsar.config.
func checkReserved(doc map[string]any) error {
	f, ok := doc["fsar"]
	if !ok {
		return nil
	}
	m, ok := f.(map[string]any)
	if !ok {
		return fmt.Errorf("data.fsar must be an object")
	}
	if _, ok := m["config"]; ok {
		return fmt.Errorf("data.fsar.config is reserved for the configuration file")
	}
	return nil
}

// buildData returns the base document the policies see (data, with config
// at data.fsar.config, always an object) and its canonical JSON: keys
// sorted, numbers as written.
func buildData(data, config map[string]any) (map[string]any, []byte, error) {
	root := map[string]any{}
	if data != nil {
		if err := checkReserved(data); err != nil {
			return nil, nil, err
		}
		if err := roundTrip(data, &root); err != nil {
			return nil, nil, fmt.Errorf("data: %w", err)
		}
	}
	cfg := map[string]any{}
	if config != nil {
		if err := roundTrip(config, &cfg); err != nil {
			return nil, nil, fmt.Errorf("config: %w", err)
		}
	}
	f, _ := root["fsar"].(map[string]any)
	if f == nil {
		f = map[string]any{}
		root["fsar"] = f
	}
	f["config"] = cfg
	canonical, err := json.Marshal(root)
	if err != nil {
		return nil, nil, fmt.Errorf("data: %w", err)
	}
	return root, canonical, nil
}

// roundTrip copies a Go value into out through JSON, so that the store
// holds only JSON types (numbers as json.Number) that nobody else shares.
func roundTrip(v any, out *map[string]any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return util.UnmarshalJSON(b, out)
}
