package controlplane

import (
	"context"
	"net/http"

	"github.com/flowctl/flowctl/pkg/runtime"
)

// DataPlaneStatus is the body of GET /api/v1/tasks: what the data plane runs, as far as the caller
// may see it.
type DataPlaneStatus struct {
	// AppliedPubID is the newest publication the running catalog includes.
	AppliedPubID string `json:"appliedPubId"`
	// PendingPubID is set while a newer publication is still being applied.
	PendingPubID string `json:"pendingPubId,omitempty"`
	// Error says why the newest live catalog is not running, when it is not.
	Error string `json:"error,omitempty"`
	// Tasks are the running tasks the caller can read, by name.
	Tasks []TaskStatus `json:"tasks"`
}

// TaskStatus is one task's state and its runtime totals (LastError is its most recent failure).
type TaskStatus struct {
	// State is "running", or "idle" once a capture finished or a reading task caught up.
	State string `json:"state"`
	runtime.TaskStats
}

// Task states.
const (
	TaskRunning = "running"
	TaskIdle    = "idle"
)

// Status reports the data plane's tasks that p can read. The data plane's own error can name any
// spec, so only a principal who can read every name sees it; others are told where to look.
func (d *RuntimeDataPlane) Status(p *Principal) DataPlaneStatus {
	d.mu.Lock()
	st, rt := d.status, d.running
	d.mu.Unlock()
	out := DataPlaneStatus{AppliedPubID: st.appliedPubID, Tasks: []TaskStatus{}}
	if st.wantedPubID > st.appliedPubID {
		out.PendingPubID = st.wantedPubID
	}
	if st.err != nil {
		out.Error = "the data plane could not run the newest live catalog; the server log has the cause"
		if p.Can(Read, "") {
			out.Error = st.err.Error()
		}
	}
	if rt == nil {
		return out
	}
	for _, s := range rt.Stats() {
		if !p.Can(Read, s.Task) {
			continue
		}
		state := TaskRunning
		if s.Idle {
			state = TaskIdle
		}
		out.Tasks = append(out.Tasks, TaskStatus{State: state, TaskStats: s})
	}
	return out
}

// tasks serves GET /api/v1/tasks.
func (h *handler) tasks(d *RuntimeDataPlane) authedFunc {
	return func(_ context.Context, p *Principal, _ *http.Request) (int, any, error) {
		return http.StatusOK, d.Status(p), nil
	}
}
