package gate

import (
	"strconv"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/fsar-gate/fsar/internal/proposal"
)

// Input builds the policy input for a report: its Document (the shape
// `fsar parse` prints, without positions) as an OPA value. It builds the
// value directly instead of going through JSON, since it runs once per
// report on the hot path.
func Input(r *proposal.Report) (ast.Value, error) {
	d := r.Doc(false)
	obj := ast.NewObject()
	put := func(k string, v ast.Value) { obj.Insert(ast.InternedTerm(k), ast.NewTerm(v)) }
	str := func(s string) ast.Value { return ast.String(s) }
	strs := func(list []string) ast.Value {
		terms := make([]*ast.Term, len(list))
		for i, s := range list {
			terms[i] = ast.StringTerm(s)
		}
		return ast.NewArray(terms...)
	}
	if d.ID != nil {
		put("id", str(*d.ID))
	}
	if d.Timestamp != nil {
		put("timestamp", str(*d.Timestamp))
		put("time", str(d.Time))
		put("time_ns", ast.Number(strconv.FormatInt(*d.TimeNS, 10)))
	}
	if d.Proposal != nil {
		put("proposal", str(*d.Proposal))
	}
	if d.Severity != "" {
		put("severity", ast.Number(d.Severity))
	}
	if d.Risks != nil {
		put("risks", strs(*d.Risks))
	}
	if d.Mitigations != nil {
		put("mitigations", strs(*d.Mitigations))
	}
	if d.BlockExecution != nil {
		put("block_execution", ast.Boolean(*d.BlockExecution))
	}
	put("file", str(d.File))
	put("form", str(string(d.Form)))
	put("missing", strs(d.Missing))
	put("kind", str(d.Kind))
	details := make([]*ast.Term, len(d.RiskDetails))
	for i, rd := range d.RiskDetails {
		o := ast.NewObject()
		if rd.Category != "" {
			o.Insert(ast.InternedTerm("category"), ast.StringTerm(rd.Category))
		}
		if rd.Horizon != "" {
			o.Insert(ast.InternedTerm("horizon"), ast.StringTerm(rd.Horizon))
		}
		details[i] = ast.NewTerm(o)
	}
	put("risk_details", ast.NewArray(details...))
	extra, err := ast.InterfaceToValue(d.Extra)
	if err != nil {
		return nil, err
	}
	put("extra", extra)
	put("markers", strs(d.Markers))
	if d.Twin != nil {
		t := ast.NewObject(
			ast.Item(ast.InternedTerm("file"), ast.StringTerm(d.Twin.File)),
			ast.Item(ast.InternedTerm("form"), ast.StringTerm(string(d.Twin.Form))),
		)
		put("twin", t)
		if len(d.TwinConflicts) > 0 {
			conflicts, err := ast.InterfaceToValue(d.TwinConflicts)
			if err != nil {
				return nil, err
			}
			put("twin_conflicts", conflicts)
		}
	}
	return obj, nil
}
