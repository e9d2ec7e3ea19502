package journal

import (
	"strings"
	"testing"
	"time"
)

// The worked example of flow-runtime.md 2.1: 2025-01-01T00:00:00Z, counter 0, producer
// 01:02:03:04:05:06, CONTINUE_TXN.
func TestUUIDWorkedExample(t *testing.T) {
	producer := ProducerID{1, 2, 3, 4, 5, 6}
	clock := NewClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	if clock != 2232797184000000000 {
		t.Fatalf("clock = %d, want 2232797184000000000", clock)
	}
	u, err := BuildUUID(producer, clock, FlagContinue)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := u.String(), "57fd0000-c7d3-11ef-8001-010203040506"; got != want {
		t.Fatalf("UUID = %s, want %s", got, want)
	}
	parsed, err := ParseUUID("57FD0000-C7D3-11EF-8001-010203040506")
	if err != nil {
		t.Fatal(err)
	}
	if parsed.Producer() != producer || parsed.Clock() != clock || parsed.Flags() != FlagContinue {
		t.Fatalf("parsed %v %d %v", parsed.Producer(), parsed.Clock(), parsed.Flags())
	}
	if got := parsed.PublishedAt(); !got.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("published at %v", got)
	}
}

// Flow's clock test vectors (crates/proto-gazette/src/uuid.rs).
func TestClockTickAndUpdate(t *testing.T) {
	c := NewClock(time.Unix(0, 0))
	if c != 0x1b21dd2138140000 {
		t.Fatalf("epoch clock = %#x", uint64(c))
	}
	c.Tick()
	c.Tick()
	if c != 0x1b21dd2138140140 {
		t.Fatalf("after two ticks = %#x", uint64(c))
	}
	if got := c.Time(); !got.Equal(time.Unix(0, 2000)) {
		t.Fatalf("time after two ticks = %v", got)
	}
	c.Update(time.Unix(10, 0))
	if c != 0x1b21dd2197721000 {
		t.Fatalf("after update = %#x", uint64(c))
	}
	c.Update(time.Unix(5, 0))
	if c != 0x1b21dd2197721000 {
		t.Fatalf("update moved the clock back: %#x", uint64(c))
	}
	// Counter bits count 4ns each.
	if got := (c + 3).Time(); !got.Equal(time.Unix(10, 12)) {
		t.Fatalf("time with counter 3 = %v", got)
	}
}

func TestUUIDRoundTripAllFlagsAndCounters(t *testing.T) {
	producer := ProducerID{0x8b, 0xff, 0, 0x10, 0x7f, 0x01}
	base := NewClock(time.Date(2031, 5, 6, 7, 8, 9, 123456700, time.UTC))
	for counter := Clock(0); counter < 16; counter++ {
		for _, flags := range []Flags{FlagOutside, FlagContinue, FlagAck, 0x3ff} {
			u, err := BuildUUID(producer, base+counter, flags)
			if err != nil {
				t.Fatal(err)
			}
			back, err := ParseUUID(u.String())
			if err != nil {
				t.Fatal(err)
			}
			if back != u || back.Clock() != base+counter || back.Flags() != flags || back.Producer() != producer {
				t.Fatalf("round trip of counter %d flags %v: %s", counter, flags, u)
			}
		}
	}
}

func TestBuildUUIDRejectsWideFlags(t *testing.T) {
	if _, err := BuildUUID(ProducerID{1}, 1, 0x400); err == nil {
		t.Fatal("flags of 11 bits were accepted")
	}
}

func TestParseUUIDErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "not of the form"},
		{"57fd0000c7d311ef8001010203040506", "not of the form"},
		{"57fd0000-c7d3-11ef-8001-01020304050g", "non-hex"},
		{"57fd0000-c7d3-41ef-8001-010203040506", "version 4"},
	} {
		_, err := ParseUUID(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseUUID(%q) = %v, want error containing %q", tc.in, err, tc.want)
		}
	}
}

func TestNewProducerIDSetsMulticastBit(t *testing.T) {
	seen := map[ProducerID]bool{}
	for i := 0; i < 64; i++ {
		p, err := NewProducerID()
		if err != nil {
			t.Fatal(err)
		}
		if p[0]&1 != 1 {
			t.Fatalf("producer %v lacks the multicast bit", p)
		}
		seen[p] = true
	}
	if len(seen) < 60 {
		t.Fatalf("only %d distinct producer IDs of 64", len(seen))
	}
}

func FuzzParseUUID(f *testing.F) {
	f.Add("57fd0000-c7d3-11ef-8001-010203040506")
	f.Add("00000000-0000-1000-8000-000000000000")
	f.Add("zz")
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseUUID(s)
		if err != nil {
			return
		}
		if !strings.EqualFold(u.String(), s) {
			t.Fatalf("parsed %q formats as %q", s, u.String())
		}
		rebuilt, err := BuildUUID(u.Producer(), u.Clock(), u.Flags())
		if err != nil || rebuilt.Clock() != u.Clock() || rebuilt.Flags() != u.Flags() || rebuilt.Producer() != u.Producer() {
			t.Fatalf("rebuilding %s gave %s, %v", u, rebuilt, err)
		}
	})
}

func TestUUIDAppendTo(t *testing.T) {
	u, err := BuildUUID(ProducerID{1, 2, 3, 4, 5, 6}, NewClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)), FlagAck)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(u.AppendTo([]byte("uuid="))); got != "uuid="+u.String() {
		t.Fatalf("AppendTo = %q, want uuid=%s", got, u)
	}
	buf := make([]byte, 0, 64)
	if allocs := testing.AllocsPerRun(100, func() { buf = u.AppendTo(buf[:0]) }); allocs != 0 {
		t.Fatalf("AppendTo into a buffer with room allocates %v times", allocs)
	}
}
