package policy

import (
	"strings"
	"testing"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		want    string
		wantErr string
	}{
		{
			name: "formats",
			src:  "package fsar.x\nimport rego.v1\ndeny contains {\"msg\":\"m\",\"field\":\"severity\"} if { input.severity>=45 }\n",
			want: "package fsar.x\n\nimport rego.v1\n\ndeny contains {\"msg\": \"m\", \"field\": \"severity\"} if input.severity >= 45\n",
		},
		{
			name: "keeps METADATA",
			src:  "package fsar.x\n\n# METADATA\n# title: T\n# custom:\n#   id: r\ndeny contains \"m\" if {\n  input.a\n  input.b\n}\n",
			want: "package fsar.x\n\n# METADATA\n# title: T\n# custom:\n#   id: r\ndeny contains \"m\" if {\n\tinput.a\n\tinput.b\n}\n",
		},
		{
			name: "already formatted is unchanged",
			src:  "package fsar.x\n\nwarn contains \"m\" if input.a\n",
			want: "package fsar.x\n\nwarn contains \"m\" if input.a\n",
		},
		{
			name:    "a syntax error names file:line",
			src:     "package fsar.x\n\ndeny contains {\"msg\": } if true\n",
			wantErr: "x.rego:3:",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Format("x.rego", []byte(tt.src))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("Format =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
