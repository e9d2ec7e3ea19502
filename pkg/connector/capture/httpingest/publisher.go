package httpingest

import (
	"encoding/json"
	"errors"
	"sync"

	"github.com/flowctl/flowctl/pkg/connector/capture"
)

// errStopped answers requests whose documents were sent but never acknowledged.
var errStopped = errors.New("the capture stopped before its documents were committed; send the request again")

// emptyState is each request's checkpoint state: the documents are the whole of the progress.
var emptyState = json.RawMessage(`{}`)

// document is one prepared document of a binding.
type document struct {
	binding int
	doc     json.RawMessage
}

// publisher sends each request's documents and checkpoint as one unit, and resolves each
// request's wait when the runtime acknowledges its checkpoint. Acknowledgements count
// checkpoints in the order they were sent, so waits are kept in that order.
type publisher struct {
	mu      sync.Mutex
	session *capture.Session
	waits   []chan error
	stopped error
}

// publish sends docs and their checkpoint, and returns a channel that yields nil once the runtime
// committed them, or an error if the capture stopped first.
func (p *publisher) publish(docs []document) (<-chan error, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped != nil {
		return nil, p.stopped
	}
	for _, d := range docs {
		if err := p.session.Captured(d.binding, d.doc); err != nil {
			return nil, err
		}
	}
	if err := p.session.Checkpoint(emptyState, false); err != nil {
		return nil, err
	}
	wait := make(chan error, 1)
	p.waits = append(p.waits, wait)
	return wait, nil
}

// acknowledge resolves the waits of the n oldest unacknowledged checkpoints.
func (p *publisher) acknowledge(n uint32) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if int(n) > len(p.waits) {
		return errors.New("protocol error: the runtime acknowledged more checkpoints than were sent")
	}
	for _, w := range p.waits[:n] {
		w <- nil
	}
	p.waits = p.waits[n:]
	return nil
}

// stop fails every outstanding wait and refuses later requests.
func (p *publisher) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopped = errStopped
	for _, w := range p.waits {
		w <- errStopped
	}
	p.waits = nil
}
