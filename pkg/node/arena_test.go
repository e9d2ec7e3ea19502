package node_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/internal/testdocs"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/node"
)

// Rewind keeps every chunk: Size starts again from 0, Capacity stays, refilling
// allocates nothing, and the documents decoded after it are intact.
func TestArenaRewindKeepsChunks(t *testing.T) {
	var a node.Arena
	docs := testdocs.Bench(2000, 2000)
	for _, d := range docs {
		if _, err := a.Decode(d); err != nil {
			t.Fatal(err)
		}
	}
	grown, capacity := a.Size(), a.Capacity()
	if grown > capacity {
		t.Fatalf("before any Rewind, Size %d > Capacity %d", grown, capacity)
	}
	a.Rewind()
	if a.Size() != 0 || a.Capacity() != capacity {
		t.Fatalf("after Rewind: Size %d (was %d), Capacity %d (was %d)", a.Size(), grown, a.Capacity(), capacity)
	}
	i := 0
	allocs := testing.AllocsPerRun(len(docs)-1, func() {
		if _, err := a.Decode(docs[i]); err != nil {
			t.Fatal(err)
		}
		i++
	})
	if allocs != 0 {
		t.Fatalf("refilling a rewound arena allocates %v times per document", allocs)
	}
	if a.Capacity() != capacity || a.Size() != grown {
		t.Fatalf("refilling the same documents: Capacity %d (was %d), Size %d (was %d)", a.Capacity(), capacity, a.Size(), grown)
	}
	n, err := a.Decode(docs[7])
	if err != nil {
		t.Fatal(err)
	}
	if got := a.AppendJSON(nil, n); !bytes.Equal(got, doc.Append(nil, mustDecode(t, docs[7]))) {
		t.Fatalf("after Rewind: %s", got)
	}
	a.Reset()
	if a.Capacity() >= capacity {
		t.Fatalf("Reset kept %d bytes of chunks", a.Capacity())
	}
}

// A kept chunk too small for a value larger than a chunk is replaced, not overrun.
func TestArenaRewindBigValue(t *testing.T) {
	var a node.Arena
	a.StringNode("small")
	a.StringNode(strings.Repeat("x", 300<<10)) // a second, dedicated chunk
	a.Rewind()
	a.StringNode(strings.Repeat("y", 200<<10))
	big := a.StringNode(strings.Repeat("z", 1<<20)) // larger than the kept second chunk
	if s := a.Str(big); len(s) != 1<<20 || strings.Trim(s, "z") != "" {
		t.Fatalf("the big string came back as %d bytes", len(s))
	}
}

// Reset releases a first chunk that was sized for one value larger than a chunk: keeping it
// would hold that value's memory for good.
func TestArenaResetReleasesOversizedChunks(t *testing.T) {
	var a node.Arena
	a.StringNode(strings.Repeat("x", 32<<20))
	a.NewArray(1 << 20)
	a.Reset()
	if c := a.Capacity(); c > 1<<20 {
		t.Fatalf("Reset kept %d bytes", c)
	}
	if s := a.Str(a.StringNode("after")); s != "after" {
		t.Fatalf("after Reset: %q", s)
	}
}
