package materialize

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/connector"
)

// A load after a store of the same transaction breaks the protocol (loads precede stores); the
// connector must say so rather than fail inside the database.
func TestSQLiteLoadAfterStoreIsAProtocolError(t *testing.T) {
	ep, spec, _ := sqliteEndpoint(t, false)
	ss, _ := openSession(t, ep, spec)
	defer ss.s.Close()
	ss.exchange(&connector.MaterializeRequest{Store: &connector.Store{Key: json.RawMessage(`["k1"]`),
		Values: json.RawMessage(`[1,[]]`), Doc: json.RawMessage(`{"id":"k1","n":1}`)}})
	ss.exchange(&connector.MaterializeRequest{Load: &connector.Load{Key: json.RawMessage(`["k1"]`)}})
	_ = ss.s.Send(&connector.MaterializeRequest{Flush: &connector.Flush{}}) // may fail: the session has ended
	_, err := ss.s.Recv()
	if err == nil || !strings.Contains(err.Error(), "after a store of the same transaction") {
		t.Fatalf("error %v, want a load after a store to be refused", err)
	}
}
