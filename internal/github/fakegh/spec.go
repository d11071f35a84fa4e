package fakegh

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// DefaultSpecPath is the API description the fake validates against: the
// subset of GitHub's own that the project commits.
func DefaultSpecPath() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return filepath.Join("testdata", "github-openapi", "openapi-subset.json")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "github-openapi", "openapi-subset.json")
}

// spec is a loaded API description and its router.
type spec struct {
	doc    *openapi3.T
	router routers.Router
}

var (
	specMu    sync.Mutex
	specCache = map[string]*spec{}
)

// loadSpec loads and checks the description at path, once per process.
func loadSpec(path string) (*spec, error) {
	specMu.Lock()
	defer specMu.Unlock()
	if s, ok := specCache[path]; ok {
		return s, nil
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", path, err)
	}
	// Routes are matched on the path alone: the fake serves at its own
	// address, not at api.github.com.
	doc.Servers = nil
	// GitHub's own examples do not all validate: they are not checked.
	router, err := legacy.NewRouter(doc, openapi3.DisableExamplesValidation())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s := &spec{doc: doc, router: router}
	specCache[path] = s
	return s, nil
}

// schema returns the component schema called name.
func (s *spec) schema(name string) *openapi3.SchemaRef {
	ref, ok := s.doc.Components.Schemas[name]
	if !ok {
		panic("fakegh: no schema " + name + " in the API description")
	}
	return ref
}

// synthTime is the time synth writes where a schema wants a date-time.
const synthTime = "2026-01-01T00:00:00Z"

// synth makes a value of schema ref from over: over's own values, with
// every required property over lacks filled in with a plain value the
// schema accepts (null where it may be null). It lets the fake answer with
// GitHub's large objects (a pull request holds two repositories) while
// setting only the fields that matter.
func synth(ref *openapi3.SchemaRef, over any) any {
	return synthDepth(ref, over, 0)
}

func synthDepth(ref *openapi3.SchemaRef, over any, depth int) any {
	if ref == nil || ref.Value == nil || depth > 40 {
		return over
	}
	s := ref.Value
	if len(s.AllOf) > 0 {
		v := over
		for _, sub := range s.AllOf {
			v = synthDepth(sub, v, depth+1)
		}
		return synthOwn(s, v, depth)
	}
	if alts := append(append(openapi3.SchemaRefs{}, s.OneOf...), s.AnyOf...); len(alts) > 0 {
		var first any
		for i, alt := range alts {
			v := synthDepth(alt, cloneJSON(over), depth+1)
			if i == 0 {
				first = v
			}
			if s.VisitJSON(normalize(v)) == nil {
				return v
			}
		}
		return first
	}
	return synthOwn(s, over, depth)
}

// synthOwn fills in s's own type and properties.
func synthOwn(s *openapi3.Schema, over any, depth int) any {
	typ := ""
	if s.Type != nil && len(s.Type.Slice()) > 0 {
		typ = s.Type.Slice()[0]
	} else if len(s.Properties) > 0 {
		typ = "object"
	}
	switch typ {
	case "object":
		m, ok := over.(map[string]any)
		if !ok {
			if over != nil {
				return over
			}
			m = map[string]any{}
		}
		for _, name := range s.Required {
			if _, ok := m[name]; ok {
				continue
			}
			prop := s.Properties[name]
			if prop != nil && prop.Value != nil && prop.Value.Nullable {
				m[name] = nil
				continue
			}
			m[name] = synthDepth(prop, nil, depth+1)
		}
		for name, v := range m {
			if prop := s.Properties[name]; prop != nil && v != nil {
				m[name] = synthDepth(prop, v, depth+1)
			}
		}
		return m
	case "array":
		items, ok := over.([]any)
		if !ok {
			if over != nil {
				return over
			}
			return []any{}
		}
		for i, it := range items {
			items[i] = synthDepth(s.Items, it, depth+1)
		}
		return items
	}
	if over != nil {
		return over
	}
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	switch typ {
	case "string":
		switch s.Format {
		case "date-time":
			return synthTime
		case "date":
			return synthTime[:10]
		case "uri", "url":
			return "https://example.invalid/"
		case "email":
			return "fake@example.invalid"
		}
		return "x"
	case "integer":
		if s.Min != nil && *s.Min > 1 {
			return int(*s.Min)
		}
		return 1
	case "number":
		return 1
	case "boolean":
		return false
	}
	return nil
}

// cloneJSON copies a JSON value made of maps, slices and scalars.
func cloneJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = cloneJSON(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = cloneJSON(e)
		}
		return s
	}
	return v
}

// normalize turns Go numbers into the float64 that decoded JSON has, for
// VisitJSON.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = normalize(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = normalize(e)
		}
		return s
	case int:
		return float64(x)
	case int64:
		return float64(x)
	}
	return v
}
