package journal

import (
	"context"
	"errors"
	"io"
)

// memClient serves one journal's content from memory in small chunks, so that documents span
// chunks, and counts its reads (a replay is a read of its own).
type memClient struct {
	journal string
	content []byte
	chunk   int
	reads   int
	// lateBy makes every read after the first start this many bytes late, as if the content at its
	// offset had been removed.
	lateBy int64
}

func (c *memClient) Read(_ context.Context, req ReadRequest) (ChunkReader, error) {
	if req.Journal != c.journal {
		return nil, errors.New("no such journal: " + req.Journal)
	}
	c.reads++
	off := req.Offset
	if c.reads > 1 {
		off += c.lateBy
	}
	return &memChunks{c: c, off: min(off, int64(len(c.content)))}, nil
}

func (c *memClient) Append(context.Context, []Append) error { return errors.ErrUnsupported }
func (c *memClient) ListJournals(context.Context, string) ([]JournalInfo, error) {
	return nil, errors.ErrUnsupported
}
func (c *memClient) ListFragments(context.Context, string) ([]Fragment, error) {
	return nil, errors.ErrUnsupported
}

type memChunks struct {
	c   *memClient
	off int64
}

func (m *memChunks) Next(ctx context.Context) (Chunk, error) {
	if err := ctx.Err(); err != nil {
		return Chunk{}, err
	}
	rest := m.c.content[m.off:]
	if len(rest) == 0 {
		return Chunk{}, io.EOF
	}
	n := min(len(rest), m.c.chunk)
	ch := Chunk{Journal: m.c.journal, Begin: m.off, Data: append([]byte(nil), rest[:n]...)}
	m.off += int64(n)
	return ch, nil
}

func (m *memChunks) Close() error { return nil }
