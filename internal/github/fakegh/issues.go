package fakegh

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// IssueLimit is the most characters an issue's body holds, as GitHub
// enforces it (the description does not state it).
const IssueLimit = 65536

// Issue is an issue (not a pull request: those are PR, though GitHub's
// issue listing shows them too, and numbers both from one sequence).
type Issue struct {
	Number      int
	Author      string
	Title       string
	Body        string
	State       string // open or closed; open when ""
	StateReason string
	Created     time.Time
	Updated     time.Time
	Closed      time.Time
	// Requests counts the create and update requests applied to the
	// issue.
	Requests int
}

// AddIssue adds an issue as its author says, now, and returns its number.
func (s *Server) AddIssue(is Issue) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[is.Author]; !ok {
		s.users[is.Author] = &User{Login: is.Author, ID: s.id()}
	}
	is.Number = s.nextNumber()
	is.State = cmp.Or(is.State, "open")
	is.Created, is.Updated = s.clock(), s.clock()
	if is.State == "closed" {
		is.Closed = s.clock()
		is.StateReason = cmp.Or(is.StateReason, "completed")
	}
	s.issues = append(s.issues, &is)
	return is.Number
}

// EditIssueBody replaces an issue's body, as a person editing it on
// GitHub would; false when there is no such issue.
func (s *Server) EditIssueBody(number int, body string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issue(number)
	if is == nil {
		return false
	}
	is.Body, is.Updated = body, s.clock()
	return true
}

// Issues returns copies of the issues, oldest first.
func (s *Server) Issues() []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Issue, 0, len(s.issues))
	for _, is := range s.issues {
		out = append(out, *is)
	}
	return out
}

// nextNumber is the number of a new issue: pull requests and issues
// share one sequence.
func (s *Server) nextNumber() int {
	n := 0
	for k := range s.prs {
		n = max(n, k)
	}
	for _, is := range s.issues {
		n = max(n, is.Number)
	}
	return n + 1
}

func (s *Server) issue(n int) *Issue {
	for _, is := range s.issues {
		if is.Number == n {
			return is
		}
	}
	return nil
}

// listIssues lists the issues and the pull requests, as GitHub does,
// filtered by state (open by default) and sorted by creation (newest
// first by default).
func (s *Server) listIssues(req *request) reply {
	type item struct {
		number  int
		created time.Time
		updated time.Time
		json    func() any
	}
	state := cmp.Or(req.query.Get("state"), "open")
	var items []item
	for _, is := range s.issues {
		if state == "all" || is.State == state {
			items = append(items, item{is.Number, is.Created, is.Updated, func() any { return s.issueJSON(is) }})
		}
	}
	for _, pr := range s.prs {
		if state == "all" || pr.State == state {
			items = append(items, item{pr.Number, T0, s.clock(), func() any { return s.prIssueJSON(pr) }})
		}
	}
	sortBy := cmp.Or(req.query.Get("sort"), "created")
	desc := cmp.Or(req.query.Get("direction"), "desc") == "desc"
	slices.SortFunc(items, func(a, b item) int {
		c := a.created.Compare(b.created)
		if sortBy == "updated" {
			c = a.updated.Compare(b.updated)
		}
		c = cmp.Or(c, cmp.Compare(a.number, b.number))
		if desc {
			return -c
		}
		return c
	})
	lo, hi, h := s.page(req, len(items))
	out := []any{}
	for _, it := range items[lo:hi] {
		out = append(out, it.json())
	}
	return reply{status: 200, body: out, header: h}
}

func (s *Server) createIssue(req *request) reply {
	title, _ := req.body["title"].(string)
	body := str(req.body["body"])
	if runes(body) > IssueLimit {
		s.violate("POST issue: body of %d characters, over GitHub's %d", runes(body), IssueLimit)
		return validationFailed("Issue", "body", fmt.Sprintf("body is too long (maximum is %d characters)", IssueLimit))
	}
	if title == "" {
		return validationFailed("Issue", "title", "title can't be blank")
	}
	is := &Issue{
		Number: s.nextNumber(), Author: req.token.Login, Title: title, Body: body, State: "open",
		Created: s.clock(), Updated: s.clock(), Requests: 1,
	}
	s.issues = append(s.issues, is)
	return reply{status: 201, body: s.issueJSON(is), header: http.Header{"Location": {s.api(fmt.Sprintf("issues/%d", is.Number))}}}
}

func (s *Server) updateIssue(req *request) reply {
	is := s.issue(req.num("issue_number"))
	if is == nil {
		return errReply(http.StatusNotFound, "Not Found")
	}
	next := *is
	if v, ok := req.body["title"].(string); ok {
		if v == "" {
			return validationFailed("Issue", "title", "title can't be blank")
		}
		next.Title = v
	}
	if v, ok := req.body["body"]; ok {
		next.Body = str(v)
		if runes(next.Body) > IssueLimit {
			s.violate("PATCH issue: body of %d characters, over GitHub's %d", runes(next.Body), IssueLimit)
			return validationFailed("Issue", "body", fmt.Sprintf("body is too long (maximum is %d characters)", IssueLimit))
		}
	}
	if st := str(req.body["state"]); st != "" && st != is.State {
		next.State = st
		switch st {
		case "closed":
			next.Closed = s.clock()
			next.StateReason = cmp.Or(str(req.body["state_reason"]), "completed")
		case "open":
			next.Closed = time.Time{}
			next.StateReason = "reopened"
		}
	}
	next.Updated = s.clock()
	next.Requests++
	*is = next
	return reply{status: 200, body: s.issueJSON(is)}
}

func (s *Server) issueJSON(is *Issue) any {
	var closed any
	if !is.Closed.IsZero() {
		closed = stamp(is.Closed)
	}
	return s.synth("issue", map[string]any{
		"id": int64(is.Number) * 1000, "node_id": fmt.Sprintf("I_%d", is.Number), "number": is.Number,
		"title": is.Title, "body": nullable(is.Body), "user": s.userJSON(is.Author), "state": is.State,
		"state_reason": nullable(is.StateReason), "locked": false, "comments": 0, "labels": []any{},
		"url": s.api(fmt.Sprintf("issues/%d", is.Number)), "html_url": s.web(fmt.Sprintf("issues/%d", is.Number)),
		"repository_url": s.URL + "/repos/" + s.Repository(), "labels_url": s.api(fmt.Sprintf("issues/%d/labels{/name}", is.Number)),
		"comments_url": s.api(fmt.Sprintf("issues/%d/comments", is.Number)), "events_url": s.api(fmt.Sprintf("issues/%d/events", is.Number)),
		"created_at": stamp(is.Created), "updated_at": stamp(is.Updated), "closed_at": closed,
		"author_association": "NONE",
	})
}

// prIssueJSON is a pull request as the issue listing shows it.
func (s *Server) prIssueJSON(pr *PR) any {
	return s.synth("issue", map[string]any{
		"id": int64(pr.Number) * 100, "node_id": fmt.Sprintf("PR_%d", pr.Number), "number": pr.Number,
		"title": pr.Title, "body": nil, "user": s.userJSON(pr.Author), "state": pr.State, "locked": false,
		"comments": 0, "labels": []any{},
		"url": s.api(fmt.Sprintf("issues/%d", pr.Number)), "html_url": s.web(fmt.Sprintf("pull/%d", pr.Number)),
		"repository_url": s.URL + "/repos/" + s.Repository(), "labels_url": s.api(fmt.Sprintf("issues/%d/labels{/name}", pr.Number)),
		"comments_url": s.api(fmt.Sprintf("issues/%d/comments", pr.Number)), "events_url": s.api(fmt.Sprintf("issues/%d/events", pr.Number)),
		"created_at": stamp(T0), "updated_at": stamp(s.clock()), "closed_at": nil, "author_association": "NONE",
		"pull_request": map[string]any{
			"url": s.api(fmt.Sprintf("pulls/%d", pr.Number)), "html_url": s.web(fmt.Sprintf("pull/%d", pr.Number)),
			"diff_url": s.web(fmt.Sprintf("pull/%d.diff", pr.Number)), "patch_url": s.web(fmt.Sprintf("pull/%d.patch", pr.Number)),
		},
	})
}
