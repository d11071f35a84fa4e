package fakegh

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// FaultKind is what a fault does to a request.
type FaultKind string

// Faults. Those marked "not applied" answer before the request changes
// anything; the others apply it first.
const (
	// Error500 and Error502 answer with that server error: not applied,
	// unless the fault's Applied is set.
	Error500 FaultKind = "500"
	Error502 FaultKind = "502"
	// Secondary answers 403 with Retry-After and GitHub's secondary
	// rate-limit message: not applied.
	Secondary FaultKind = "secondary"
	// TooMany answers 429 with Retry-After: not applied.
	TooMany FaultKind = "429"
	// Primary answers 403 with X-RateLimit-Remaining 0 and a reset time:
	// not applied.
	Primary FaultKind = "primary"
	// Spent applies the request and answers it, saying that the primary
	// rate limit is now spent until a reset time: the next request must
	// wait for it.
	Spent FaultKind = "spent"
	// Lost applies the request, then drops the connection: the client
	// never learns that it succeeded.
	Lost FaultKind = "lost"
	// Reset drops the connection without applying the request.
	Reset FaultKind = "reset"
	// Hang never answers: the client must time out.
	Hang FaultKind = "hang"
)

// FaultKinds lists every kind.
var FaultKinds = []FaultKind{Error500, Error502, Secondary, TooMany, Primary, Spent, Lost, Reset, Hang}

// Fault is a fault injected into the requests that match it.
type Fault struct {
	// Method matches the request's method; any when empty.
	Method string
	// Path is a regular expression the request's path must match
	// (without the API prefix); any when empty.
	Path string
	Kind FaultKind
	// Skip lets that many matching requests through first.
	Skip int
	// Times is how many requests the fault answers; 1 when 0, every one
	// when negative.
	Times int
	// Wait is the seconds of Retry-After (Secondary, TooMany) or until the
	// reset (Primary, Spent); 1 when 0, none when negative.
	Wait int
	// Applied makes Error500 and Error502 apply the request before
	// answering with the error.
	Applied bool

	re    *regexp.Regexp
	seen  int
	fired int
}

// Inject adds a fault. Faults are tried in the order they were added; the
// first that matches a request and has not run out answers it.
func (s *Server) Inject(f Fault) error {
	re, err := regexp.Compile(f.Path)
	if err != nil {
		return fmt.Errorf("fault path: %w", err)
	}
	known := false
	for _, k := range FaultKinds {
		known = known || k == f.Kind
	}
	if !known {
		return fmt.Errorf("unknown fault kind %q", f.Kind)
	}
	f.re = re
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
	return nil
}

// Unfired returns the faults that have not answered as many requests as
// they were set to.
func (s *Server) Unfired() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, f := range s.faults {
		if f.Times >= 0 && f.fired < max(f.Times, 1) {
			out = append(out, fmt.Sprintf("%s %s %s: fired %d of %d", f.Kind, f.Method, f.Path, f.fired, max(f.Times, 1)))
		}
	}
	return out
}

// fault returns the fault that answers a request, counting it.
func (s *Server) fault(method, path string) *Fault {
	for _, f := range s.faults {
		if f.Method != "" && f.Method != method || !f.re.MatchString(path) {
			continue
		}
		if f.Times >= 0 && f.fired >= max(f.Times, 1) {
			continue
		}
		f.seen++
		if f.seen <= f.Skip {
			continue
		}
		f.fired++
		return f
	}
	return nil
}

func (f *Fault) wait() int {
	switch {
	case f.Wait < 0:
		return 0
	case f.Wait == 0:
		return 1
	}
	return f.Wait
}

func (f *Fault) serverError() reply {
	if f.Kind == Error500 {
		return errReply(http.StatusInternalServerError, "Server Error")
	}
	return errReply(http.StatusBadGateway, "Bad Gateway")
}

// before returns the answer of a fault that answers before the request
// is applied.
func (f *Fault) before(now time.Time) (reply, bool) {
	if f == nil {
		return reply{}, false
	}
	switch f.Kind {
	case Error500, Error502:
		if f.Applied {
			return reply{}, false
		}
		return f.serverError(), true
	case Secondary:
		rep := errReply(http.StatusForbidden, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.")
		rep.body.(map[string]any)["documentation_url"] = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
		rep.header = http.Header{"Retry-After": {strconv.Itoa(f.wait())}}
		return rep, true
	case TooMany:
		rep := errReply(http.StatusTooManyRequests, "Too Many Requests")
		rep.header = http.Header{"Retry-After": {strconv.Itoa(f.wait())}}
		return rep, true
	case Primary:
		rep := errReply(http.StatusForbidden, "API rate limit exceeded for installation ID 1.")
		rep.body.(map[string]any)["documentation_url"] = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
		rep.header = http.Header{
			"X-Ratelimit-Remaining": {"0"},
			"X-Ratelimit-Reset":     {strconv.FormatInt(now.Add(time.Duration(f.wait())*time.Second).Unix(), 10)},
		}
		return rep, true
	}
	return reply{}, false
}
