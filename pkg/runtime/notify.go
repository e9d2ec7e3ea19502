package runtime

import (
	"context"
	"sync"

	"github.com/flowctl/flowctl/pkg/journal"
)

// Notifier wakes every waiter at once, each time Notify is called. Readers in one process wait on
// it to see appends without polling.
type Notifier struct {
	mu  sync.Mutex
	ch  chan struct{}
	seq uint64
}

// NewNotifier returns a Notifier.
func NewNotifier() *Notifier { return &Notifier{ch: make(chan struct{})} }

// C returns a channel that is closed by the next Notify.
func (n *Notifier) C() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}

// Notify wakes everyone waiting on a channel C returned.
func (n *Notifier) Notify() {
	n.mu.Lock()
	close(n.ch)
	n.ch = make(chan struct{})
	n.seq++
	n.mu.Unlock()
}

// Seq counts Notify calls: a reader that found nothing new at sequence s has seen every append
// as long as Seq is still s.
func (n *Notifier) Seq() uint64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.seq
}

// NotifyingClient is a journal.Client that calls Notify after every successful Append.
type NotifyingClient struct {
	journal.Client
	Notifier *Notifier
}

// Append implements journal.Client.
func (c NotifyingClient) Append(ctx context.Context, appends []journal.Append) error {
	err := c.Client.Append(ctx, appends)
	if err == nil {
		c.Notifier.Notify()
	}
	return err
}
