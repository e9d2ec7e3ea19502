package httpingest

import (
	"net"
	"sync"
)

// listening maps the name of each capture whose session is serving to its listener's address.
var listening sync.Map

// ListenAddr returns the address the open session of a capture listens on, and whether one is
// open. It is set before the session sends opened, so a runtime or test that saw opened can use it,
// which is how a port of 0 (any free port) is learnt.
func ListenAddr(capture string) (net.Addr, bool) {
	addr, ok := listening.Load(capture)
	if !ok {
		return nil, false
	}
	return addr.(net.Addr), true
}
