package gate

import "time"

// Approval is what fsar found of a human approval of a review verdict on
// a pull request (see github.Client.Approve), recorded in the result.
type Approval struct {
	Label string `json:"label"`
	// Honoured is set when the approval counts: Approver added the label
	// after the last push, and may write to the repository.
	Honoured bool   `json:"honoured"`
	Approver string `json:"approver,omitempty"`
	// LabeledBy and LabeledAt are the latest "labeled" event's.
	LabeledBy string    `json:"labeled_by,omitempty"`
	LabeledAt time.Time `json:"labeled_at,omitzero"`
	// LastPush is when the head commit was pushed, as far as the API
	// tells.
	LastPush time.Time `json:"last_push,omitzero"`
	// Reason says why the approval is not honoured.
	Reason string `json:"reason,omitempty"`
	// Effective is the verdict once the approval is taken into account.
	Effective Verdict `json:"effective_verdict"`
}
