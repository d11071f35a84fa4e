package gate

// Subject is what a check ran on, when it ran on GitHub: the repository,
// the pull request and its head commit. A result that records it can be
// published later, by another job (fsar publish), which refuses it when
// the pull request's head is no longer SHA.
type Subject struct {
	// Repository is OWNER/REPO.
	Repository string `json:"repository"`
	// PR is the pull request's number, 0 outside one.
	PR int `json:"pull_request,omitempty"`
	// SHA is the commit the reports were read at: the pull request's head.
	SHA string `json:"head_sha"`
	// BaseRef is the pull request's base branch.
	BaseRef string `json:"base_ref,omitempty"`
}
