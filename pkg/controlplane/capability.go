package controlplane

import (
	"fmt"
	"strings"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// Capability is what a grant allows: Read < Write < Admin, each including the ones below it.
type Capability int

// Capabilities, in increasing order.
const (
	None Capability = iota
	Read
	Write
	Admin
)

// ParseCapability reads "read", "write" or "admin".
func ParseCapability(s string) (Capability, error) {
	switch s {
	case "read":
		return Read, nil
	case "write":
		return Write, nil
	case "admin":
		return Admin, nil
	}
	return None, fmt.Errorf("capability must be read, write or admin, not %q", s)
}

func (c Capability) String() string {
	switch c {
	case Read:
		return "read"
	case Write:
		return "write"
	case Admin:
		return "admin"
	}
	return "none"
}

// Principal is an authenticated user and its grants.
type Principal struct {
	User   string
	Grants []api.Grant
}

// CapabilityOn is the highest capability any of the principal's grants gives on name: a grant applies
// to every name that starts with its prefix.
func (p *Principal) CapabilityOn(name string) Capability {
	best := None
	for _, g := range p.Grants {
		if !strings.HasPrefix(name, g.Prefix) {
			continue
		}
		if c, err := ParseCapability(g.Capability); err == nil && c > best {
			best = c
		}
	}
	return best
}

// Can reports whether the principal has at least capability c on name.
func (p *Principal) Can(c Capability, name string) bool { return p.CapabilityOn(name) >= c }
