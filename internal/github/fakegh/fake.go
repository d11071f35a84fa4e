// Package fakegh is a fake of GitHub's REST API for tests: an
// httptest server that keeps state (pull requests, comments with their
// authors, check runs with their annotations, statuses, labels and their
// events, permissions), paginates as GitHub does (30 a page by default,
// per_page up to 100, Link headers), validates every request it gets and
// every response it sends against GitHub's own API description (the
// subset in testdata/github-openapi), enforces the limits that the
// description leaves out, and injects faults on demand: 500 and 502, a
// secondary rate limit with Retry-After, a 429, a spent primary rate
// limit, a connection dropped before or after the request was applied,
// and a request left hanging.
//
// Everything it finds wrong with a request or a response is a violation
// (Violations): a test fails when there is any.
package fakegh

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Limits GitHub enforces that its API description does not state.
const (
	CommentLimit     = 65536 // characters of an issue comment's body
	DescriptionLimit = 140   // characters of a commit status's description
	OutputLimit      = 65535 // characters of a check run's summary or text
	AnnotationLimit  = 50    // annotations in one check-run request
	TitleLimit       = 255   // characters of an annotation's title
)

// T0 is when the fake's clock starts.
var T0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// Options configure a fake.
type Options struct {
	// Owner and Repo name the one repository served; octo-org/reports
	// when empty.
	Owner, Repo string
	// SpecPath is the API description; DefaultSpecPath() when empty.
	SpecPath string
	// PathPrefix is where the API is served, "/api/v3" to stand for
	// GitHub Enterprise Server; the root when empty.
	PathPrefix string
	// Now is the fake's clock; one that starts at T0 and moves only by
	// Advance when nil.
	Now func() time.Time
}

// TokenKind is what kind of token a token is.
type TokenKind int

const (
	// UserToken is a person's token: GET /user answers with its user.
	UserToken TokenKind = iota
	// AppToken is a GitHub App's installation token, such as the GitHub
	// Actions token: GET /user is refused (403).
	AppToken
)

// Token is a token the fake knows.
type Token struct {
	Login string
	Kind  TokenKind
	// ReadOnly refuses every write (403), as GitHub does to the token of
	// a pull request from a fork.
	ReadOnly bool
}

// User is an account.
type User struct {
	Login string
	ID    int64
	Bot   bool
	// Permission on the repository: admin, maintain, write, triage, read;
	// "" for none (the permission endpoint answers 404).
	Permission string
}

// PR is a pull request.
type PR struct {
	Number   int
	Title    string
	Author   string
	HeadRef  string
	HeadSHA  string
	HeadRepo string // OWNER/REPO of the head; the base repository when ""
	BaseRef  string
	BaseSHA  string
	Labels   []string
	Files    []File
	State    string
}

// File is a file a pull request changes.
type File struct {
	Name   string
	Status string // added, modified, removed, renamed, ...
}

// Comment is an issue comment.
type Comment struct {
	ID      int64
	PR      int
	Author  string
	Body    string
	Created time.Time
	Updated time.Time
}

// Annotation is a check-run annotation.
type Annotation struct {
	Path      string `json:"path"`
	StartLine int    `json:"start_line"`
	EndLine   int    `json:"end_line"`
	Level     string `json:"annotation_level"`
	Title     string `json:"title,omitempty"`
	Message   string `json:"message"`
}

// CheckRun is a check run.
type CheckRun struct {
	ID          int64
	Name        string
	HeadSHA     string
	ExternalID  string
	Status      string
	Conclusion  string
	DetailsURL  string
	Title       string
	Summary     string
	Text        string
	Annotations []Annotation
	App         string
	Created     time.Time
	Completed   time.Time
	// Requests counts the create and update requests applied to the run.
	Requests int
}

// Status is a commit status.
type Status struct {
	ID          int64
	SHA         string
	State       string
	Context     string
	Description string
	TargetURL   string
	Creator     string
	Created     time.Time
}

// Event is an issue event of a pull request.
type Event struct {
	ID      int64
	PR      int
	Kind    string // labeled, unlabeled, head_ref_force_pushed
	Actor   string
	Label   string
	Created time.Time
}

// suite is a check suite, made when a commit is pushed.
type suite struct {
	ID      int64
	SHA     string
	Created time.Time
}

// Server is a fake GitHub API.
type Server struct {
	// URL is the API's root (GITHUB_API_URL); ServerURL the web root.
	URL       string
	ServerURL string

	opts Options
	spec *spec
	srv  *httptest.Server

	mu         sync.Mutex
	now        time.Time
	nextID     int64
	users      map[string]*User
	tokens     map[string]*Token
	prs        map[int]*PR
	comments   []*Comment
	issues     []*Issue
	runs       []*CheckRun
	suites     []*suite
	statuses   []*Status
	events     []*Event
	faults     []*Fault
	violations []string
	log        []string
	remaining  int
	// mangle, when set, changes every handler's answer: tests of the
	// response validation use it.
	mangle func(op string, body any) any
	// scriptPR is the pull request the script command works on.
	scriptPR int
}

// New starts a fake. Close it when done.
func New(opts Options) (*Server, error) {
	if opts.Owner == "" {
		opts.Owner = "octo-org"
	}
	if opts.Repo == "" {
		opts.Repo = "reports"
	}
	if opts.SpecPath == "" {
		opts.SpecPath = DefaultSpecPath()
	}
	sp, err := loadSpec(opts.SpecPath)
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts: opts, spec: sp, now: T0, nextID: 1000,
		users: map[string]*User{}, tokens: map[string]*Token{}, prs: map[int]*PR{},
		remaining: 5000,
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.ServerURL = s.srv.URL
	s.URL = s.srv.URL + strings.TrimSuffix(opts.PathPrefix, "/")
	s.AddUser(User{Login: "github-actions[bot]", ID: 41898282, Bot: true})
	return s, nil
}

// Close stops the fake.
func (s *Server) Close() { s.srv.Close() }

// Owner and Repo name the repository served.
func (s *Server) Owner() string { return s.opts.Owner }
func (s *Server) Repo() string  { return s.opts.Repo }

// Repository returns OWNER/REPO.
func (s *Server) Repository() string { return s.opts.Owner + "/" + s.opts.Repo }

func (s *Server) clock() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now().UTC().Truncate(time.Second)
	}
	return s.now
}

// Now returns the fake's time.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clock()
}

// Advance moves the fake's own clock on (not a clock given in Options).
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = s.now.Add(d)
}

func (s *Server) id() int64 {
	s.nextID++
	return s.nextID
}

// AddUser adds an account, or changes it.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == 0 {
		u.ID = s.id()
	}
	s.users[u.Login] = &u
}

// SetPermission sets login's permission on the repository, adding the
// user when new.
func (s *Server) SetPermission(login, perm string) {
	s.mu.Lock()
	u := s.users[login]
	s.mu.Unlock()
	if u == nil {
		s.AddUser(User{Login: login, Permission: perm})
		return
	}
	s.mu.Lock()
	u.Permission = perm
	s.mu.Unlock()
}

// AddToken makes token known, for login (added as a user when new).
func (s *Server) AddToken(token string, t Token) {
	s.mu.Lock()
	_, known := s.users[t.Login]
	s.mu.Unlock()
	if !known {
		s.AddUser(User{Login: t.Login, Bot: strings.HasSuffix(t.Login, "[bot]")})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = &t
}

// OpenPR opens a pull request whose head is pushed now.
func (s *Server) OpenPR(pr PR) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pr.State == "" {
		pr.State = "open"
	}
	if pr.HeadRef == "" {
		pr.HeadRef = "feature"
	}
	if pr.BaseRef == "" {
		pr.BaseRef = "main"
	}
	if pr.BaseSHA == "" {
		pr.BaseSHA = strings.Repeat("b", 40)
	}
	if pr.Title == "" {
		pr.Title = "Add FSAR reports"
	}
	if pr.Author == "" {
		pr.Author = "contributor"
	}
	if _, ok := s.users[pr.Author]; !ok {
		s.users[pr.Author] = &User{Login: pr.Author, ID: s.id()}
	}
	p := pr
	s.prs[pr.Number] = &p
	s.suites = append(s.suites, &suite{ID: s.id(), SHA: pr.HeadSHA, Created: s.clock()})
}

// Push moves pull request n's head to sha now, as a push does: a check
// suite for sha, and with force a head_ref_force_pushed event.
func (s *Server) Push(n int, sha string, force bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := s.prs[n]
	pr.HeadSHA = sha
	s.suites = append(s.suites, &suite{ID: s.id(), SHA: sha, Created: s.clock()})
	if force {
		s.events = append(s.events, &Event{ID: s.id(), PR: n, Kind: "head_ref_force_pushed", Actor: pr.Author, Created: s.clock()})
	}
}

// Label adds label to pull request n now, as actor does.
func (s *Server) Label(n int, label, actor string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := s.prs[n]
	if !slices.Contains(pr.Labels, label) {
		pr.Labels = append(pr.Labels, label)
	}
	if _, ok := s.users[actor]; !ok {
		s.users[actor] = &User{Login: actor, ID: s.id()}
	}
	s.events = append(s.events, &Event{ID: s.id(), PR: n, Kind: "labeled", Actor: actor, Label: label, Created: s.clock()})
}

// Unlabel takes label off pull request n now, as actor does.
func (s *Server) Unlabel(n int, label, actor string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := s.prs[n]
	pr.Labels = slices.DeleteFunc(pr.Labels, func(l string) bool { return l == label })
	s.events = append(s.events, &Event{ID: s.id(), PR: n, Kind: "unlabeled", Actor: actor, Label: label, Created: s.clock()})
}

// SetFiles sets the files pull request n changes.
func (s *Server) SetFiles(n int, files []File) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prs[n].Files = files
}

// AddComment adds a comment to pull request n, as author.
func (s *Server) AddComment(n int, author, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[author]; !ok {
		s.users[author] = &User{Login: author, ID: s.id(), Bot: strings.HasSuffix(author, "[bot]")}
	}
	c := &Comment{ID: s.id(), PR: n, Author: author, Body: body, Created: s.clock(), Updated: s.clock()}
	s.comments = append(s.comments, c)
	return c.ID
}

// PullRequest returns a copy of pull request n.
func (s *Server) PullRequest(n int) PR {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.prs[n]
}

// Comments returns copies of pull request n's comments, oldest first.
func (s *Server) Comments(n int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.comments {
		if c.PR == n {
			out = append(out, *c)
		}
	}
	return out
}

// CheckRuns returns copies of the check runs on sha, oldest first.
func (s *Server) CheckRuns(sha string) []CheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []CheckRun
	for _, r := range s.runs {
		if r.HeadSHA == sha {
			cp := *r
			cp.Annotations = slices.Clone(r.Annotations)
			out = append(out, cp)
		}
	}
	return out
}

// Statuses returns copies of the statuses of sha, oldest first.
func (s *Server) Statuses(sha string) []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Status
	for _, st := range s.statuses {
		if st.SHA == sha {
			out = append(out, *st)
		}
	}
	return out
}

// LatestStatus returns the latest status of sha in context ctx.
func (s *Server) LatestStatus(sha, ctx string) (Status, bool) {
	all := s.Statuses(sha)
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Context == ctx {
			return all[i], true
		}
	}
	return Status{}, false
}

// Violations returns what the fake found wrong with the requests it got
// and the responses it sent.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.violations)
}

// Log returns one line per request: "METHOD PATH STATUS", with the fault
// that answered it.
func (s *Server) Log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

func (s *Server) violate(format string, args ...any) {
	s.violations = append(s.violations, fmt.Sprintf(format, args...))
}

// reply is a handler's answer.
type reply struct {
	status int
	body   any
	header http.Header
}

func errReply(status int, msg string) reply {
	body := map[string]any{"message": msg, "documentation_url": "https://docs.github.com/rest", "status": strconv.Itoa(status)}
	return reply{status: status, body: body}
}

func validationFailed(resource, field, msg string) reply {
	return reply{status: http.StatusUnprocessableEntity, body: map[string]any{
		"message":           "Validation Failed",
		"errors":            []any{map[string]any{"resource": resource, "code": "custom", "field": field, "message": msg}},
		"documentation_url": "https://docs.github.com/rest",
		"status":            "422",
	}}
}

// request is one request as a handler sees it.
type request struct {
	r      *http.Request
	op     string
	params map[string]string
	query  url.Values
	body   map[string]any
	token  *Token
	path   string
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		http.Error(w, "reading the request", http.StatusBadRequest)
		return
	}
	path := r.URL.Path
	if p := strings.TrimSuffix(s.opts.PathPrefix, "/"); p != "" {
		if !strings.HasPrefix(path, p+"/") {
			s.mu.Lock()
			s.violate("%s %s: outside the API's prefix %s", r.Method, path, p)
			s.mu.Unlock()
			s.write(w, r, nil, errReply(http.StatusNotFound, "Not Found"))
			return
		}
		path = strings.TrimPrefix(path, p)
	}
	// A copy of the request at the path the description knows, for the
	// router and the validator.
	vr := r.Clone(r.Context())
	vr.URL.Path, vr.URL.RawPath = path, ""
	vr.Body = io.NopCloser(bytes.NewReader(raw))
	route, params, err := s.spec.router.FindRoute(vr)
	if err != nil {
		s.mu.Lock()
		s.violate("%s %s: no such operation in the API description (%v)", r.Method, path, err)
		s.log = append(s.log, fmt.Sprintf("%s %s 404", r.Method, path))
		s.mu.Unlock()
		s.write(w, r, nil, errReply(http.StatusNotFound, "Not Found"))
		return
	}
	in := &openapi3filter.RequestValidationInput{
		Request: vr, PathParams: params, Route: route,
		Options: &openapi3filter.Options{
			AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc,
			SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.EnableFormatValidation()},
		},
	}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		s.mu.Lock()
		s.violate("%s %s: request does not match the API description: %v", r.Method, path, err)
		s.log = append(s.log, fmt.Sprintf("%s %s 422", r.Method, path))
		s.mu.Unlock()
		s.write(w, r, in, validationFailed("Request", "", err.Error()))
		return
	}
	req := &request{r: r, op: route.Operation.OperationID, params: params, query: r.URL.Query(), path: path}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &req.body); err != nil {
			s.mu.Lock()
			s.violate("%s %s: body is not a JSON object: %v", r.Method, path, err)
			s.mu.Unlock()
			s.write(w, r, in, errReply(http.StatusBadRequest, "Problems parsing JSON"))
			return
		}
	}

	s.mu.Lock()
	tok := s.tokens[bearer(r.Header.Get("Authorization"))]
	fault := s.fault(r.Method, path)
	entry := fmt.Sprintf("%s %s", r.Method, path)
	if fault != nil {
		entry += " [" + string(fault.Kind) + "]"
	}
	if fault != nil && fault.Kind == Hang {
		s.log = append(s.log, entry+" hang")
		s.mu.Unlock()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
		return
	}
	if fault != nil && fault.Kind == Reset {
		s.log = append(s.log, entry+" reset")
		s.mu.Unlock()
		hangUp(w)
		return
	}
	if pre, ok := fault.before(s.clock()); ok {
		s.log = append(s.log, fmt.Sprintf("%s %d", entry, pre.status))
		s.mu.Unlock()
		s.write(w, r, in, pre)
		return
	}
	var rep reply
	switch {
	case tok == nil:
		rep = errReply(http.StatusUnauthorized, "Bad credentials")
	case tok.ReadOnly && r.Method != http.MethodGet:
		rep = errReply(http.StatusForbidden, "Resource not accessible by integration")
	default:
		req.token = tok
		rep = s.handle(req)
		if s.mangle != nil {
			rep.body = s.mangle(req.op, rep.body)
		}
	}
	if mutating(r.Method) && rep.status < 300 {
		s.now = s.now.Add(time.Second)
	}
	if rep.header == nil {
		rep.header = http.Header{}
	}
	s.remaining--
	rep.header.Set("X-RateLimit-Remaining", strconv.Itoa(max(s.remaining, 0)))
	if fault != nil {
		switch fault.Kind {
		case Lost:
			s.log = append(s.log, entry+" applied, connection dropped")
			s.mu.Unlock()
			hangUp(w)
			return
		case Spent:
			rep.header.Set("X-RateLimit-Remaining", "0")
			rep.header.Set("X-RateLimit-Reset", strconv.FormatInt(s.clock().Add(time.Duration(fault.wait())*time.Second).Unix(), 10))
		case Error500, Error502:
			// Applied, and answered with a server error.
			rep = fault.serverError()
		}
	}
	s.log = append(s.log, fmt.Sprintf("%s %d", entry, rep.status))
	s.mu.Unlock()
	s.write(w, r, in, rep)
}

func bearer(h string) string {
	for _, p := range []string{"Bearer ", "bearer ", "token "} {
		if strings.HasPrefix(h, p) {
			return strings.TrimPrefix(h, p)
		}
	}
	return ""
}

func mutating(method string) bool {
	return method != http.MethodGet && method != http.MethodHead
}

// hangUp drops the connection without an answer.
func hangUp(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("fakegh: cannot hijack the connection")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// write sends rep, after checking it against the description.
func (s *Server) write(w http.ResponseWriter, r *http.Request, in *openapi3filter.RequestValidationInput, rep reply) {
	var body []byte
	if rep.body != nil {
		var err error
		body, err = json.Marshal(rep.body)
		if err != nil {
			panic(err)
		}
	}
	h := w.Header()
	for k, v := range rep.header {
		h[k] = v
	}
	if body != nil {
		h.Set("Content-Type", "application/json; charset=utf-8")
	}
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	h.Set("X-RateLimit-Limit", "5000")
	h.Set("X-RateLimit-Resource", "core")
	if h.Get("X-RateLimit-Remaining") == "" {
		h.Set("X-RateLimit-Remaining", "4999")
	}
	if h.Get("X-RateLimit-Reset") == "" {
		h.Set("X-RateLimit-Reset", strconv.FormatInt(s.Now().Add(time.Hour).Unix(), 10))
	}
	if in != nil {
		s.checkResponse(r, in, rep.status, h, body)
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(body)
}

// checkResponse validates a response against the description. A status
// the description does not list for the operation (GitHub answers 403,
// 429 and 5xx where its description is silent) is not checked.
func (s *Server) checkResponse(r *http.Request, in *openapi3filter.RequestValidationInput, status int, h http.Header, body []byte) {
	op := in.Route.Operation
	if op.Responses.Status(status) == nil {
		return
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: status, Header: h,
		Options: &openapi3filter.Options{
			IncludeResponseStatus:   true,
			SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.EnableFormatValidation()},
		},
	}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		s.mu.Lock()
		s.violate("%s %s: %d response does not match the API description: %v", r.Method, in.Request.URL.Path, status, err)
		s.mu.Unlock()
	}
}

// runes counts characters as GitHub does.
func runes(s string) int { return utf8.RuneCountInString(s) }

// page cuts a listing of n items as GitHub does: per_page (30 by default,
// at most 100) and page (from 1), with a Link header for the others.
func (s *Server) page(req *request, n int) (lo, hi int, h http.Header) {
	per := 30
	if v, err := strconv.Atoi(req.query.Get("per_page")); err == nil && v > 0 {
		per = min(v, 100)
	}
	pg := 1
	if v, err := strconv.Atoi(req.query.Get("page")); err == nil && v > 0 {
		pg = v
	}
	last := max((n+per-1)/per, 1)
	lo = min((pg-1)*per, n)
	hi = min(lo+per, n)
	h = http.Header{}
	link := func(p int, rel string) string {
		q := url.Values{}
		for k, v := range req.query {
			q[k] = v
		}
		q.Set("per_page", strconv.Itoa(per))
		q.Set("page", strconv.Itoa(p))
		u := url.URL{Scheme: "http", Host: req.r.Host, Path: req.r.URL.Path, RawQuery: q.Encode()}
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if pg > 1 {
		links = append(links, link(pg-1, "prev"))
	}
	if pg < last {
		links = append(links, link(pg+1, "next"), link(last, "last"))
	}
	if pg > 1 {
		links = append(links, link(1, "first"))
	}
	if len(links) > 0 {
		h.Set("Link", strings.Join(links, ", "))
	}
	return lo, hi, h
}
