package testrunner

import "time"

// Result is the outcome of one catalog test.
type Result struct {
	Name     string        `json:"name"`
	Passed   bool          `json:"passed"`
	Duration time.Duration `json:"duration"`
	// Failure describes the first verify step that did not match (nil when Passed).
	Failure *Failure `json:"failure,omitempty"`
	// Verified are the actual documents of each verify step, in step order.
	Verified []Verified `json:"-"`
}

// Failure is a verify step whose actual documents did not match the expected ones.
type Failure struct {
	Step       int        `json:"step"` // 1-based
	Collection string     `json:"collection"`
	Location   string     `json:"location"` // file:line:col of the step
	Mismatches []Mismatch `json:"mismatches"`
}

// Verified is what one verify step read.
type Verified struct {
	Step   int   `json:"step"` // 1-based
	Actual []any `json:"actual"`
}
