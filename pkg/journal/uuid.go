package journal

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"
)

// UUID is an RFC 4122 version 1 UUID as Gazette builds it: a 60-bit timestamp and a 4-bit counter
// (together a Clock), 10 bits of transaction Flags, and the 6-byte ProducerID as the node.
type UUID [16]byte

// ProducerID identifies one writer of documents: the node of its UUIDs.
type ProducerID [6]byte

// Clock is a UUID timestamp in 100ns units since 1582-10-15, shifted left by 4 above a sequence
// counter. Clocks of one producer only grow, which totally orders its documents.
type Clock uint64

// Flags are the 10 low bits of a UUID's clock sequence, which carry transaction semantics.
type Flags uint16

const (
	// FlagOutside marks a document outside of any transaction: it commits itself.
	FlagOutside Flags = 0x0
	// FlagContinue marks a document of a pending transaction, committed by a later ACK.
	FlagContinue Flags = 0x1
	// FlagAck marks an acknowledgement: it commits its producer's pending documents with clocks at or
	// below its own and rolls back those above.
	FlagAck Flags = 0x2

	// gregorianToUnix is the time from 1582-10-15 (RFC 4122's epoch) to 1970-01-01 in 100ns units.
	gregorianToUnix = 122192928000000000
	// clockTick is one microsecond: 10 units of 100ns above the 4 counter bits. Flow ticks by a whole
	// microsecond so that published-at times stay microsecond-aligned.
	clockTick = 10 << 4
)

// NewProducerID returns a random ProducerID with the multicast bit set, which RFC 4122 uses to mark a
// node that is not a real MAC address.
func NewProducerID() (ProducerID, error) {
	var id ProducerID
	if _, err := rand.Read(id[:]); err != nil {
		return id, fmt.Errorf("generating a producer ID: %w", err)
	}
	id[0] |= 0x01
	return id, nil
}

// String formats a ProducerID as six colon-separated hex bytes.
func (p ProducerID) String() string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", p[0], p[1], p[2], p[3], p[4], p[5])
}

// NewClock returns the Clock of time t, with a zero counter.
func NewClock(t time.Time) Clock {
	return Clock(uint64(t.UnixNano()/100+gregorianToUnix) << 4)
}

// Update moves the Clock forward to time t; it never moves it back.
func (c *Clock) Update(t time.Time) {
	if next := NewClock(t); next > *c {
		*c = next
	}
}

// Tick advances the Clock by one microsecond, as Flow does, and returns the new value.
func (c *Clock) Tick() Clock {
	*c += clockTick
	return *c
}

// Time is the wall-clock time of the Clock. The counter bits count as 4ns each, as in Flow.
func (c Clock) Time() time.Time {
	ticks := uint64(c) >> 4
	if ticks < gregorianToUnix {
		return time.Unix(0, 0).UTC()
	}
	ticks -= gregorianToUnix
	sec := ticks / 10_000_000
	nsec := (ticks%10_000_000)*100 + (uint64(c)&0xf)<<2
	return time.Unix(int64(sec), int64(nsec)).UTC()
}

// String names the flags as Gazette does.
func (f Flags) String() string {
	switch f {
	case FlagOutside:
		return "OUTSIDE_TXN"
	case FlagContinue:
		return "CONTINUE_TXN"
	case FlagAck:
		return "ACK_TXN"
	}
	return fmt.Sprintf("Flags(%#x)", uint16(f))
}

// BuildUUID lays out producer, clock and flags as a v1 UUID. Flags above 10 bits are an error.
func BuildUUID(producer ProducerID, clock Clock, flags Flags) (UUID, error) {
	var u UUID
	if flags > 0x3ff {
		return u, fmt.Errorf("UUID flags %#x do not fit in 10 bits", uint16(flags))
	}
	binary.BigEndian.PutUint32(u[0:4], uint32(clock>>4))
	binary.BigEndian.PutUint16(u[4:6], uint16(clock>>36))
	binary.BigEndian.PutUint16(u[6:8], uint16(clock>>52)|0x1000)
	binary.BigEndian.PutUint16(u[8:10], uint16(clock<<10)&0x3c00|uint16(flags)|0x8000)
	copy(u[10:], producer[:])
	return u, nil
}

// Producer is the node of the UUID.
func (u UUID) Producer() ProducerID {
	var p ProducerID
	copy(p[:], u[10:])
	return p
}

// Clock is the timestamp and counter of the UUID.
func (u UUID) Clock() Clock {
	c := uint64(binary.BigEndian.Uint32(u[0:4])) << 4
	c |= uint64(binary.BigEndian.Uint16(u[4:6])) << 36
	c |= uint64(binary.BigEndian.Uint16(u[6:8])) << 52 // The version nibble shifts out of 64 bits.
	c |= uint64(u[8]>>2) & 0xf
	return Clock(c)
}

// Flags are the transaction flags of the UUID.
func (u UUID) Flags() Flags { return Flags(binary.BigEndian.Uint16(u[8:10]) & 0x3ff) }

// PublishedAt is the time the UUID was stamped: what the runtime projects as flow_published_at.
func (u UUID) PublishedAt() time.Time { return u.Clock().Time() }

// String formats the UUID in lower-case 8-4-4-4-12 form.
func (u UUID) String() string {
	var b [36]byte
	u.format(&b)
	return string(b[:])
}

// AppendTo appends the String form of the UUID to b, so that stamping a document allocates nothing.
func (u UUID) AppendTo(b []byte) []byte {
	var t [36]byte
	u.format(&t)
	return append(b, t[:]...)
}

func (u UUID) format(b *[36]byte) {
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], u[10:16])
}

// ParseUUID parses the 8-4-4-4-12 form (either case) and requires a version 1 UUID, as Flow does.
func ParseUUID(s string) (UUID, error) { return parseUUID([]byte(s)) }

// parseUUID is ParseUUID of bytes, so that reading documents needs no string per UUID.
func parseUUID(s []byte) (UUID, error) {
	var u UUID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, fmt.Errorf("document UUID %q is not of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", s)
	}
	groups := [...]struct{ from, to, at int }{{0, 8, 0}, {9, 13, 4}, {14, 18, 6}, {19, 23, 8}, {24, 36, 10}}
	for _, g := range groups {
		if _, err := hex.Decode(u[g.at:], s[g.from:g.to]); err != nil {
			return UUID{}, fmt.Errorf("document UUID %q has a non-hex digit", s)
		}
	}
	if version := u[6] >> 4; version != 1 {
		return UUID{}, fmt.Errorf("document UUID %s is version %d, but Flow documents carry version 1 UUIDs", s, version)
	}
	return u, nil
}
