package github

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/fsar-gate/fsar/internal/ghref"
)

// DefaultAPIURL is GitHub.com's REST API.
const DefaultAPIURL = "https://api.github.com"

// Context says where to publish: through which API, with which token, to
// which repository, pull request and commit. The command fills it from the
// GitHub Actions environment (GITHUB_API_URL, GITHUB_SERVER_URL,
// GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_SHA, GITHUB_TOKEN) and its
// flags; nothing in this package reads the environment.
type Context struct {
	// APIURL is the REST API's root: https://api.github.com, or
	// https://HOST/api/v3 on GitHub Enterprise Server.
	APIURL string
	// ServerURL is the web root, https://github.com or https://HOST.
	ServerURL string
	Owner     string
	Repo      string
	// PR is the pull request's number; 0 outside a pull request.
	PR int
	// HeadSHA is the commit the verdict is about: the pull request's head
	// (not GITHUB_SHA, which is the merge commit on a pull_request event).
	HeadSHA string
	// BaseRef and BaseSHA are the pull request's base branch and commit.
	BaseRef string
	BaseSHA string
	Token   string
	// EventName is GITHUB_EVENT_NAME.
	EventName string
	// RunURL is the page of the workflow run, when known; check runs and
	// statuses link to it.
	RunURL string
}

// Repository returns "OWNER/REPO".
func (c Context) Repository() string { return c.Owner + "/" + c.Repo }

// Validate checks the context before anything is sent.
func (c Context) Validate() error {
	if _, _, err := ghref.SplitRepository(c.Repository()); err != nil {
		return err
	}
	if c.HeadSHA != "" && !ghref.ValidSHA(c.HeadSHA) {
		return fmt.Errorf("commit %q: expected a full 40-character commit id", c.HeadSHA)
	}
	if c.PR < 0 {
		return fmt.Errorf("pull request %d: expected a positive number", c.PR)
	}
	if _, err := apiBase(c.APIURL); err != nil {
		return err
	}
	return nil
}

// apiBase parses the API URL into the base that go-github resolves
// request paths against (ending in "/").
func apiBase(s string) (*url.URL, error) {
	if s == "" {
		s = DefaultAPIURL
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("API URL %q: expected an http(s) URL such as %s", s, DefaultAPIURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

// Event is what fsar needs of a GitHub Actions event payload
// (GITHUB_EVENT_PATH).
type Event struct {
	// PR is the pull request's number, 0 when the event has none.
	PR int
	// HeadSHA is the pull request's head commit (pull_request,
	// pull_request_target), or the head commit of the workflow run that
	// triggered a workflow_run event: set by GitHub, so trusted even when
	// the run was a fork's.
	HeadSHA string
	BaseRef string
	BaseSHA string
	// HeadRepository is OWNER/REPO of the pull request's head: a fork's
	// name when it came from a fork.
	HeadRepository string
}

// Fork tells whether the pull request comes from another repository than
// base.
func (e Event) Fork(base string) bool {
	return e.HeadRepository != "" && !strings.EqualFold(e.HeadRepository, base)
}

type eventPR struct {
	Number int `json:"number"`
	Head   struct {
		SHA  string `json:"sha"`
		Ref  string `json:"ref"`
		Repo *struct {
			FullName string `json:"full_name"`
		} `json:"repo"`
	} `json:"head"`
	Base struct {
		SHA string `json:"sha"`
		Ref string `json:"ref"`
	} `json:"base"`
}

// ParseEvent reads the payload of an event named name (GITHUB_EVENT_NAME).
// It knows pull_request, pull_request_target and workflow_run; any other
// event yields an empty Event.
func ParseEvent(name string, data []byte) (Event, error) {
	var payload struct {
		Number      int      `json:"number"`
		PullRequest *eventPR `json:"pull_request"`
		WorkflowRun *struct {
			HeadSHA        string    `json:"head_sha"`
			PullRequests   []eventPR `json:"pull_requests"`
			HeadRepository *struct {
				FullName string `json:"full_name"`
			} `json:"head_repository"`
		} `json:"workflow_run"`
	}
	if err := json.Unmarshal(data, &payload); err != nil {
		return Event{}, fmt.Errorf("event payload: %w", err)
	}
	var ev Event
	switch name {
	case "pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment":
		pr := payload.PullRequest
		if pr == nil {
			return Event{}, fmt.Errorf("event payload: a %s event without pull_request", name)
		}
		ev = Event{PR: pr.Number, HeadSHA: pr.Head.SHA, BaseRef: pr.Base.Ref, BaseSHA: pr.Base.SHA}
		if pr.Head.Repo != nil {
			ev.HeadRepository = pr.Head.Repo.FullName
		}
	case "workflow_run":
		wr := payload.WorkflowRun
		if wr == nil {
			return Event{}, fmt.Errorf("event payload: a workflow_run event without workflow_run")
		}
		ev.HeadSHA = wr.HeadSHA
		if wr.HeadRepository != nil {
			ev.HeadRepository = wr.HeadRepository.FullName
		}
		// GitHub lists the pull requests of a fork's run as none: the
		// number then comes from the result or --pr.
		if len(wr.PullRequests) == 1 {
			pr := wr.PullRequests[0]
			ev.PR, ev.BaseRef, ev.BaseSHA = pr.Number, pr.Base.Ref, pr.Base.SHA
		}
	}
	if ev.HeadSHA != "" && !ghref.ValidSHA(ev.HeadSHA) {
		return Event{}, fmt.Errorf("event payload: head commit %q is not a commit id", ev.HeadSHA)
	}
	return ev, nil
}
