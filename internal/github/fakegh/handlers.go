package fakegh

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// served lists the operations the fake answers, by operationId: every
// operation of the API description (a test holds them equal).
var served = []string{
	"users/get-authenticated", "rate-limit/get", "pulls/get", "pulls/list-files",
	"issues/list-comments", "issues/create-comment", "issues/update-comment", "issues/delete-comment",
	"issues/list-events", "repos/get-collaborator-permission-level",
	"checks/create", "checks/get", "checks/update", "checks/list-annotations", "checks/list-for-ref",
	"checks/list-suites-for-ref", "repos/list-commit-statuses-for-ref", "repos/create-commit-status",
	"issues/list-for-repo", "issues/create", "issues/update",
}

// handle answers a valid, authenticated request. It runs with s.mu held.
func (s *Server) handle(req *request) reply {
	if o, r := req.params["owner"], req.params["repo"]; (o != "" || r != "") && (!strings.EqualFold(o, s.opts.Owner) || !strings.EqualFold(r, s.opts.Repo)) {
		return errReply(http.StatusNotFound, "Not Found")
	}
	switch req.op {
	case "users/get-authenticated":
		if req.token.Kind == AppToken {
			return errReply(http.StatusForbidden, "Resource not accessible by integration")
		}
		u := s.userJSON(req.token.Login)
		u["user_view_type"] = "public"
		return reply{status: 200, body: s.synth("public-user", u)}
	case "rate-limit/get":
		return reply{status: 200, body: s.synth("rate-limit-overview", nil)}
	case "pulls/get":
		pr := s.prs[req.num("pull_number")]
		if pr == nil {
			return errReply(http.StatusNotFound, "Not Found")
		}
		return reply{status: 200, body: s.prJSON(pr)}
	case "pulls/list-files":
		pr := s.prs[req.num("pull_number")]
		if pr == nil {
			return errReply(http.StatusNotFound, "Not Found")
		}
		lo, hi, h := s.page(req, len(pr.Files))
		items := []any{}
		for i, f := range pr.Files[lo:hi] {
			items = append(items, s.synth("diff-entry", map[string]any{
				"sha": fmt.Sprintf("%040d", lo+i+1), "filename": f.Name, "status": cmp.Or(f.Status, "modified"),
				"additions": 1, "deletions": 0, "changes": 1,
				"blob_url": s.web("blob/" + pr.HeadSHA + "/" + f.Name), "raw_url": s.web("raw/" + pr.HeadSHA + "/" + f.Name),
				"contents_url": s.api("contents/" + f.Name),
			}))
		}
		return reply{status: 200, body: items, header: h}
	case "issues/list-comments":
		n := req.num("issue_number")
		if s.prs[n] == nil {
			return errReply(http.StatusNotFound, "Not Found")
		}
		var mine []*Comment
		for _, c := range s.comments {
			if c.PR == n {
				mine = append(mine, c)
			}
		}
		lo, hi, h := s.page(req, len(mine))
		items := []any{}
		for _, c := range mine[lo:hi] {
			items = append(items, s.commentJSON(c))
		}
		return reply{status: 200, body: items, header: h}
	case "issues/create-comment":
		n := req.num("issue_number")
		if s.prs[n] == nil {
			return errReply(http.StatusNotFound, "Not Found")
		}
		body, _ := req.body["body"].(string)
		if runes(body) > CommentLimit {
			s.violate("POST comment: body of %d characters, over GitHub's %d", runes(body), CommentLimit)
			return validationFailed("IssueComment", "body", fmt.Sprintf("body is too long (maximum is %d characters)", CommentLimit))
		}
		c := &Comment{ID: s.id(), PR: n, Author: req.token.Login, Body: body, Created: s.clock(), Updated: s.clock()}
		s.comments = append(s.comments, c)
		return reply{status: 201, body: s.commentJSON(c), header: http.Header{"Location": {s.api(fmt.Sprintf("issues/comments/%d", c.ID))}}}
	case "issues/update-comment":
		c := s.comment(req.num64("comment_id"))
		if c == nil {
			return errReply(http.StatusNotFound, "Not Found")
		}
		body, _ := req.body["body"].(string)
		if runes(body) > CommentLimit {
			s.violate("PATCH comment: body of %d characters, over GitHub's %d", runes(body), CommentLimit)
			return validationFailed("IssueComment", "body", fmt.Sprintf("body is too long (maximum is %d characters)", CommentLimit))
		}
		c.Body, c.Updated = body, s.clock()
		return reply{status: 200, body: s.commentJSON(c)}
	case "issues/delete-comment":
		id := req.num64("comment_id")
		if s.comment(id) == nil {
			return errReply(http.StatusNotFound, "Not Found")
		}
		s.comments = slices.DeleteFunc(s.comments, func(c *Comment) bool { return c.ID == id })
		return reply{status: 204}
	case "issues/list-events":
		n := req.num("issue_number")
		var mine []*Event
		for _, e := range s.events {
			if e.PR == n {
				mine = append(mine, e)
			}
		}
		lo, hi, h := s.page(req, len(mine))
		items := []any{}
		for _, e := range mine[lo:hi] {
			items = append(items, s.eventJSON(e))
		}
		return reply{status: 200, body: items, header: h}
	case "repos/get-collaborator-permission-level":
		u := s.users[req.params["username"]]
		if u == nil || u.Permission == "" {
			return errReply(http.StatusNotFound, "Not Found")
		}
		perm := u.Permission
		switch perm {
		case "maintain":
			perm = "write"
		case "triage":
			perm = "read"
		}
		user := s.userJSON(u.Login)
		user["permissions"] = map[string]any{"admin": perm == "admin", "maintain": u.Permission == "maintain", "push": perm != "read", "triage": true, "pull": true}
		user["role_name"] = u.Permission
		return reply{status: 200, body: s.synth("repository-collaborator-permission", map[string]any{
			"permission": perm, "role_name": u.Permission, "user": user,
		})}
	case "issues/list-for-repo":
		return s.listIssues(req)
	case "issues/create":
		return s.createIssue(req)
	case "issues/update":
		return s.updateIssue(req)
	case "checks/create":
		return s.createRun(req)
	case "checks/get":
		r := s.run(req.num64("check_run_id"))
		if r == nil {
			return errReply(http.StatusNotFound, "Not Found")
		}
		return reply{status: 200, body: s.runJSON(r)}
	case "checks/update":
		r := s.run(req.num64("check_run_id"))
		if r == nil {
			return errReply(http.StatusNotFound, "Not Found")
		}
		return s.updateRun(req, r)
	case "checks/list-annotations":
		r := s.run(req.num64("check_run_id"))
		if r == nil {
			return errReply(http.StatusNotFound, "Not Found")
		}
		lo, hi, h := s.page(req, len(r.Annotations))
		items := []any{}
		for _, a := range r.Annotations[lo:hi] {
			items = append(items, s.synth("check-annotation", map[string]any{
				"path": a.Path, "start_line": a.StartLine, "end_line": a.EndLine, "start_column": nil, "end_column": nil,
				"annotation_level": a.Level, "title": nullable(a.Title), "message": a.Message, "raw_details": nil,
				"blob_href": s.web("blob/" + r.HeadSHA + "/" + a.Path),
			}))
		}
		return reply{status: 200, body: items, header: h}
	case "checks/list-for-ref":
		return s.listRuns(req)
	case "checks/list-suites-for-ref":
		ref := req.params["ref"]
		var mine []*suite
		for _, su := range s.suites {
			if su.SHA == ref {
				mine = append(mine, su)
			}
		}
		lo, hi, h := s.page(req, len(mine))
		items := []any{}
		for _, su := range mine[lo:hi] {
			items = append(items, s.synth("check-suite", map[string]any{
				"id": su.ID, "node_id": fmt.Sprintf("CS_%d", su.ID), "head_sha": su.SHA, "head_branch": nil,
				"status": "completed", "conclusion": "success", "created_at": stamp(su.Created), "updated_at": stamp(su.Created),
				"url": s.api(fmt.Sprintf("check-suites/%d", su.ID)), "before": nil, "after": su.SHA,
				"pull_requests": nil, "app": nil, "head_commit": map[string]any{
					"id": su.SHA, "tree_id": su.SHA, "message": "commit", "timestamp": stamp(su.Created), "author": nil, "committer": nil,
				},
				"repository": s.minimalRepoJSON(), "latest_check_runs_count": 0, "check_runs_url": s.api(fmt.Sprintf("check-suites/%d/check-runs", su.ID)),
			}))
		}
		return reply{status: 200, body: map[string]any{"total_count": len(mine), "check_suites": items}, header: h}
	case "repos/list-commit-statuses-for-ref":
		ref := req.params["ref"]
		var mine []*Status
		for i := len(s.statuses) - 1; i >= 0; i-- {
			if s.statuses[i].SHA == ref {
				mine = append(mine, s.statuses[i])
			}
		}
		lo, hi, h := s.page(req, len(mine))
		items := []any{}
		for _, st := range mine[lo:hi] {
			items = append(items, s.statusJSON(st))
		}
		return reply{status: 200, body: items, header: h}
	case "repos/create-commit-status":
		desc, _ := req.body["description"].(string)
		if runes(desc) > DescriptionLimit {
			s.violate("POST status: description of %d characters, over GitHub's %d", runes(desc), DescriptionLimit)
			return validationFailed("Status", "description", fmt.Sprintf("description is too long (maximum is %d characters)", DescriptionLimit))
		}
		st := &Status{
			ID: s.id(), SHA: req.params["sha"], State: str(req.body["state"]), Context: cmp.Or(str(req.body["context"]), "default"),
			Description: desc, TargetURL: str(req.body["target_url"]), Creator: req.token.Login, Created: s.clock(),
		}
		s.statuses = append(s.statuses, st)
		return reply{status: 201, body: s.statusJSON(st)}
	}
	s.violate("%s %s: the fake does not serve %s", req.r.Method, req.path, req.op)
	return errReply(http.StatusNotFound, "Not Found")
}

func (s *Server) comment(id int64) *Comment {
	for _, c := range s.comments {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func (s *Server) run(id int64) *CheckRun {
	for _, r := range s.runs {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// output applies the output of a create or update request to r: limits
// first, then the annotations appended.
func (s *Server) output(req *request, r *CheckRun) (reply, bool) {
	out, _ := req.body["output"].(map[string]any)
	if out == nil {
		return reply{}, true
	}
	for _, k := range []string{"summary", "text"} {
		if v := str(out[k]); runes(v) > OutputLimit {
			s.violate("%s check run: output.%s of %d characters, over GitHub's %d", req.r.Method, k, runes(v), OutputLimit)
			return validationFailed("CheckRun", "output."+k, fmt.Sprintf("%s is too long (maximum is %d characters)", k, OutputLimit)), false
		}
	}
	anns, _ := out["annotations"].([]any)
	if len(anns) > AnnotationLimit {
		s.violate("%s check run: %d annotations in one request, over GitHub's %d", req.r.Method, len(anns), AnnotationLimit)
		return validationFailed("CheckRun", "output.annotations", "Only 50 annotations are allowed per request"), false
	}
	var add []Annotation
	for _, a := range anns {
		m, _ := a.(map[string]any)
		ann := Annotation{
			Path: str(m["path"]), StartLine: integer(m["start_line"]), EndLine: integer(m["end_line"]),
			Level: str(m["annotation_level"]), Title: str(m["title"]), Message: str(m["message"]),
		}
		if runes(ann.Title) > TitleLimit {
			s.violate("%s check run: annotation title of %d characters, over GitHub's %d", req.r.Method, runes(ann.Title), TitleLimit)
			return validationFailed("CheckRun", "output.annotations.title", "title is too long"), false
		}
		if ann.StartLine < 1 || ann.EndLine < ann.StartLine {
			s.violate("%s check run: annotation at lines %d-%d", req.r.Method, ann.StartLine, ann.EndLine)
			return validationFailed("CheckRun", "output.annotations.start_line", "start_line must be positive"), false
		}
		add = append(add, ann)
	}
	if v, ok := out["title"]; ok {
		r.Title = str(v)
	}
	if v, ok := out["summary"]; ok {
		r.Summary = str(v)
	}
	if v, ok := out["text"]; ok {
		r.Text = str(v)
	}
	r.Annotations = append(r.Annotations, add...)
	return reply{}, true
}

func (s *Server) createRun(req *request) reply {
	r := &CheckRun{
		ID: s.id(), Name: str(req.body["name"]), HeadSHA: str(req.body["head_sha"]), ExternalID: str(req.body["external_id"]),
		Status: cmp.Or(str(req.body["status"]), "queued"), DetailsURL: str(req.body["details_url"]),
		App: req.token.Login, Created: s.clock(),
	}
	if rep, ok := s.output(req, r); !ok {
		return rep
	}
	s.applyRun(req, r)
	s.runs = append(s.runs, r)
	return reply{status: 201, body: s.runJSON(r)}
}

func (s *Server) updateRun(req *request, r *CheckRun) reply {
	next := *r
	next.Annotations = slices.Clone(r.Annotations)
	if rep, ok := s.output(req, &next); !ok {
		return rep
	}
	if v, ok := req.body["name"]; ok {
		next.Name = str(v)
	}
	if v, ok := req.body["status"]; ok {
		next.Status = str(v)
	}
	if v, ok := req.body["details_url"]; ok {
		next.DetailsURL = str(v)
	}
	if v, ok := req.body["external_id"]; ok {
		next.ExternalID = str(v)
	}
	s.applyRun(req, &next)
	*r = next
	return reply{status: 200, body: s.runJSON(r)}
}

func (s *Server) applyRun(req *request, r *CheckRun) {
	if c := str(req.body["conclusion"]); c != "" {
		r.Conclusion, r.Status = c, "completed"
	}
	if r.Status == "completed" {
		r.Completed = s.clock()
	}
	r.Requests++
}

func (s *Server) listRuns(req *request) reply {
	ref := req.params["ref"]
	name := req.query.Get("check_name")
	var mine []*CheckRun
	for i := len(s.runs) - 1; i >= 0; i-- { // newest first
		r := s.runs[i]
		if r.HeadSHA != ref || name != "" && r.Name != name {
			continue
		}
		if st := req.query.Get("status"); st != "" && r.Status != st {
			continue
		}
		mine = append(mine, r)
	}
	if cmp.Or(req.query.Get("filter"), "latest") == "latest" {
		seen := map[string]bool{}
		mine = slices.DeleteFunc(mine, func(r *CheckRun) bool {
			k := r.App + "\x00" + r.Name
			dup := seen[k]
			seen[k] = true
			return dup
		})
	}
	lo, hi, h := s.page(req, len(mine))
	items := []any{}
	for _, r := range mine[lo:hi] {
		items = append(items, s.runJSON(r))
	}
	return reply{status: 200, body: map[string]any{"total_count": len(mine), "check_runs": items}, header: h}
}

// JSON builders: GitHub's objects with the fields that matter set, the
// rest filled in from the schema.

func (s *Server) synth(schema string, over map[string]any) any {
	var v any
	if over != nil {
		v = over
	}
	return synth(s.spec.schema(schema), v)
}

func (s *Server) api(path string) string {
	return s.URL + "/repos/" + s.Repository() + "/" + path
}

func (s *Server) web(path string) string {
	return s.ServerURL + "/" + s.Repository() + "/" + path
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (s *Server) userJSON(login string) map[string]any {
	u := s.users[login]
	if u == nil {
		u = &User{Login: login}
	}
	typ := "User"
	if u.Bot || strings.HasSuffix(login, "[bot]") {
		typ = "Bot"
	}
	base := s.ServerURL + "/" + login
	return map[string]any{
		"login": login, "id": u.ID, "node_id": fmt.Sprintf("U_%d", u.ID), "type": typ, "site_admin": false,
		"avatar_url": base + ".png", "html_url": base, "url": s.URL + "/users/" + login,
		"gravatar_id": "",
	}
}

func (s *Server) minimalRepoJSON() map[string]any {
	return map[string]any{
		"id": 1, "node_id": "R_1", "name": s.opts.Repo, "full_name": s.Repository(), "private": false, "fork": false,
		"owner": s.userJSON(s.opts.Owner), "html_url": s.web(""), "url": s.URL + "/repos/" + s.Repository(),
	}
}

func (s *Server) repoJSON(full string) any {
	owner, name, _ := strings.Cut(full, "/")
	return s.synth("repository", map[string]any{
		"id": 1, "node_id": "R_1", "name": name, "full_name": full, "private": false,
		"fork": !strings.EqualFold(full, s.Repository()), "owner": s.userJSON(owner),
		"html_url": s.ServerURL + "/" + full, "url": s.URL + "/repos/" + full, "default_branch": "main",
	})
}

func (s *Server) prJSON(pr *PR) any {
	headRepo := cmp.Or(pr.HeadRepo, s.Repository())
	owner, _, _ := strings.Cut(headRepo, "/")
	labels := []any{}
	for i, l := range pr.Labels {
		labels = append(labels, map[string]any{
			"id": i + 1, "node_id": fmt.Sprintf("LA_%d", i+1), "url": s.api("labels/" + l), "name": l,
			"description": nil, "color": "0e8a16", "default": false,
		})
	}
	return s.synth("pull-request", map[string]any{
		"id": int64(pr.Number) * 100, "node_id": fmt.Sprintf("PR_%d", pr.Number), "number": pr.Number, "state": pr.State,
		"title": pr.Title, "user": s.userJSON(pr.Author), "labels": labels, "locked": false, "draft": false,
		"url": s.api(fmt.Sprintf("pulls/%d", pr.Number)), "html_url": s.web(fmt.Sprintf("pull/%d", pr.Number)),
		"head": map[string]any{
			"label": owner + ":" + pr.HeadRef, "ref": pr.HeadRef, "sha": pr.HeadSHA,
			"user": s.userJSON(owner), "repo": s.repoJSON(headRepo),
		},
		"base": map[string]any{
			"label": s.opts.Owner + ":" + pr.BaseRef, "ref": pr.BaseRef, "sha": pr.BaseSHA,
			"user": s.userJSON(s.opts.Owner), "repo": s.repoJSON(s.Repository()),
		},
		"created_at": stamp(T0), "updated_at": stamp(s.clock()), "merged": false, "mergeable": nil,
		"additions": 1, "deletions": 0, "changed_files": len(pr.Files), "commits": 1,
	})
}

func (s *Server) commentJSON(c *Comment) any {
	return s.synth("issue-comment", map[string]any{
		"id": c.ID, "node_id": fmt.Sprintf("IC_%d", c.ID), "body": c.Body, "user": s.userJSON(c.Author),
		"url": s.api(fmt.Sprintf("issues/comments/%d", c.ID)), "html_url": s.web(fmt.Sprintf("pull/%d#issuecomment-%d", c.PR, c.ID)),
		"issue_url": s.api(fmt.Sprintf("issues/%d", c.PR)), "created_at": stamp(c.Created), "updated_at": stamp(c.Updated),
		"author_association": "NONE",
	})
}

func (s *Server) eventJSON(e *Event) any {
	m := map[string]any{
		"id": e.ID, "node_id": fmt.Sprintf("E_%d", e.ID), "url": s.api(fmt.Sprintf("issues/events/%d", e.ID)),
		"actor": s.userJSON(e.Actor), "event": e.Kind, "commit_id": nil, "commit_url": nil,
		"created_at": stamp(e.Created), "performed_via_github_app": nil,
	}
	if e.Label != "" {
		m["label"] = map[string]any{"name": e.Label, "color": "0e8a16"}
		return s.synth("labeled-issue-event", m)
	}
	return s.synth("added-to-project-issue-event", m)
}

func (s *Server) runJSON(r *CheckRun) any {
	var completed any
	if !r.Completed.IsZero() {
		completed = stamp(r.Completed)
	}
	var app any
	if u := s.users[r.App]; u != nil && u.Bot {
		slug := strings.TrimSuffix(r.App, "[bot]")
		app = map[string]any{
			"id": 15368, "slug": slug, "node_id": "A_1", "name": slug, "owner": s.userJSON(s.opts.Owner),
			"description": nil, "external_url": "https://example.invalid/", "html_url": s.ServerURL + "/apps/" + slug,
			"created_at": stamp(T0), "updated_at": stamp(T0), "permissions": map[string]any{}, "events": []any{},
		}
	}
	return s.synth("check-run", map[string]any{
		"id": r.ID, "head_sha": r.HeadSHA, "node_id": fmt.Sprintf("CR_%d", r.ID), "external_id": nullable(r.ExternalID),
		"url": s.api(fmt.Sprintf("check-runs/%d", r.ID)), "html_url": s.web(fmt.Sprintf("runs/%d", r.ID)),
		"details_url": nullable(r.DetailsURL), "status": r.Status, "conclusion": nullable(r.Conclusion),
		"started_at": stamp(r.Created), "completed_at": completed, "name": r.Name,
		"output": map[string]any{
			"title": nullable(r.Title), "summary": nullable(r.Summary), "text": nullable(r.Text),
			"annotations_count": len(r.Annotations), "annotations_url": s.api(fmt.Sprintf("check-runs/%d/annotations", r.ID)),
		},
		"check_suite": map[string]any{"id": 1}, "app": app, "pull_requests": []any{},
	})
}

func (s *Server) statusJSON(st *Status) any {
	return s.synth("status", map[string]any{
		"id": st.ID, "node_id": fmt.Sprintf("ST_%d", st.ID), "url": s.api("statuses/" + st.SHA),
		"avatar_url": nil, "state": st.State, "description": nullable(st.Description), "target_url": nullable(st.TargetURL),
		"context": st.Context, "created_at": stamp(st.Created), "updated_at": stamp(st.Created), "creator": s.userJSON(st.Creator),
	})
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func integer(v any) int {
	f, _ := v.(float64)
	return int(f)
}

func (r *request) num(name string) int {
	n, _ := strconv.Atoi(r.params[name])
	return n
}

func (r *request) num64(name string) int64 {
	n, _ := strconv.ParseInt(r.params[name], 10, 64)
	return n
}
