// Package actions reads what fsar takes from the GitHub Actions
// environment — the repository, the event and its pull request, the
// commits, the run, the workspace, the job summary and the step outputs —
// once, with one rule for each value and a check of each. Nothing else in
// fsar reads a GITHUB_ variable: commands get an *Env from their factory
// and pass its values down. Outside GitHub Actions every value is empty.
package actions

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/fsar-gate/fsar/internal/ghref"
)

// MaxEventBytes bounds the event payload read from GITHUB_EVENT_PATH.
const MaxEventBytes = 32 << 20

// DefaultServerURL and DefaultAPIURL are GitHub.com's web and REST roots.
const (
	DefaultServerURL = "https://github.com"
	DefaultAPIURL    = "https://api.github.com"
)

// Env is the GitHub Actions environment as fsar uses it. A value that is
// not set, or not well formed, is empty; Load says which were not well
// formed.
type Env struct {
	// Actions is set in a workflow step (GITHUB_ACTIONS=true).
	Actions bool
	// Repository is OWNER/REPO (GITHUB_REPOSITORY).
	Repository string
	// ServerURL is the web root, e.g. https://github.com
	// (GITHUB_SERVER_URL).
	ServerURL string
	// APIURL is the REST API root (GITHUB_API_URL), as given: the API
	// client checks it.
	APIURL string
	// Token is GITHUB_TOKEN, else GH_TOKEN.
	Token string
	// EventName is the event that started the run (GITHUB_EVENT_NAME).
	EventName string
	// Event is what fsar needs of its payload (GITHUB_EVENT_PATH).
	Event Event
	// SHA is the commit of the run (GITHUB_SHA): on pull_request, the
	// merge commit GitHub made.
	SHA string
	// BaseRef is the pull request's base branch: the event's, else
	// GITHUB_BASE_REF.
	BaseRef string
	// RunID is the workflow run's id (GITHUB_RUN_ID).
	RunID string
	// Workspace is the absolute folder of the job's checkout
	// (GITHUB_WORKSPACE).
	Workspace string
	// StepSummary and StepOutput are the files of the job summary
	// (GITHUB_STEP_SUMMARY) and of the step's outputs (GITHUB_OUTPUT).
	StepSummary string
	StepOutput  string
}

// Load reads the environment through getenv, and the event payload
// through readFile (bounded by MaxEventBytes). The Env is never nil: it
// holds every value that is well formed. The error lists the values that
// are not, each naming its variable; a caller that only decorates its
// output with links may go on without them, one that publishes must not.
func Load(getenv func(string) string, readFile func(path string, limit int64) ([]byte, error)) (*Env, error) {
	e := &Env{
		Actions:     getenv("GITHUB_ACTIONS") == "true",
		APIURL:      getenv("GITHUB_API_URL"),
		Token:       cmpOr(getenv("GITHUB_TOKEN"), getenv("GH_TOKEN")),
		EventName:   getenv("GITHUB_EVENT_NAME"),
		StepSummary: getenv("GITHUB_STEP_SUMMARY"),
		StepOutput:  getenv("GITHUB_OUTPUT"),
	}
	var errs []error
	bad := func(name, value, want string) {
		errs = append(errs, fmt.Errorf("%s %q: expected %s", name, value, want))
	}
	if v := getenv("GITHUB_REPOSITORY"); ghref.ValidRepository(v) {
		e.Repository = v
	} else if v != "" {
		bad("GITHUB_REPOSITORY", v, "OWNER/REPO")
	}
	if v := getenv("GITHUB_SERVER_URL"); ghref.WebURL(strings.TrimRight(v, "/")) != "" {
		e.ServerURL = strings.TrimRight(v, "/")
	} else if v != "" {
		bad("GITHUB_SERVER_URL", v, "an http(s) URL such as "+DefaultServerURL)
	}
	if v := getenv("GITHUB_SHA"); ghref.ValidSHA(v) {
		e.SHA = v
	} else if v != "" {
		bad("GITHUB_SHA", v, "a full commit id")
	}
	if v := getenv("GITHUB_RUN_ID"); ghref.ValidRunID(v) {
		e.RunID = v
	} else if v != "" {
		bad("GITHUB_RUN_ID", v, "a number")
	}
	if v := getenv("GITHUB_WORKSPACE"); filepath.IsAbs(v) {
		e.Workspace = filepath.Clean(v)
	} else if v != "" {
		bad("GITHUB_WORKSPACE", v, "an absolute path")
	}
	if path := getenv("GITHUB_EVENT_PATH"); path != "" && e.EventName != "" {
		data, err := readFile(path, MaxEventBytes)
		if err == nil {
			e.Event, err = ParseEvent(e.EventName, data)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("GITHUB_EVENT_PATH: %w", err))
		}
	}
	e.BaseRef = cmpOr(e.Event.BaseRef, getenv("GITHUB_BASE_REF"))
	return e, errors.Join(errs...)
}

// pullRequestEvents are the events whose run is for a pull request's
// merge commit, with its head in the payload.
func (e *Env) pullRequestEvent() bool {
	switch e.EventName {
	case "pull_request", "pull_request_review", "pull_request_review_comment":
		return true
	}
	return false
}

// HeadSHA is the commit a verdict is about: the pull request's head named
// by the event (pull_request and pull_request_target and their review
// events), or the head of the run that triggered a workflow_run, rather
// than GITHUB_SHA; elsewhere GITHUB_SHA.
func (e *Env) HeadSHA() string { return cmpOr(e.Event.HeadSHA, e.SHA) }

// LinkSHA is the commit that links to report files point at: the commit
// whose files the job read and a reviewer sees. On a pull_request run (and
// its review events) that is the pull request's head, which stays, rather
// than GITHUB_SHA, the merge commit GitHub made for the run. Elsewhere it
// is GITHUB_SHA: on pull_request_target the base branch, which is what a
// workflow checks out there unless it says otherwise.
func (e *Env) LinkSHA() string {
	if e.pullRequestEvent() && e.Event.HeadSHA != "" {
		return e.Event.HeadSHA
	}
	return e.SHA
}

// RunURL is the page of the workflow run, or "".
func (e *Env) RunURL() string { return ghref.RunURL(e.ServerURL, e.Repository, e.RunID) }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Event is what fsar needs of a GitHub Actions event payload.
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
// It knows the pull request events and workflow_run; any other event
// yields an empty Event. Commit ids in the payload must be well formed.
func ParseEvent(name string, data []byte) (Event, error) {
	var payload struct {
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
	if ev.BaseSHA != "" && !ghref.ValidSHA(ev.BaseSHA) {
		return Event{}, fmt.Errorf("event payload: base commit %q is not a commit id", ev.BaseSHA)
	}
	if ev.PR < 0 {
		return Event{}, fmt.Errorf("event payload: pull request number %d", ev.PR)
	}
	return ev, nil
}
