package schema

import (
	"fmt"
	"sort"
)

// Fields and locations Flow projects without being asked.
const (
	DocumentField    = "flow_document"
	PublishedAtField = "flow_published_at"
	UUIDPtr          = "/_meta/uuid"
	// PublishedAtPtr is the pseudo-location of the publication time within the document UUID.
	PublishedAtPtr = "/_meta/uuid/date-time"
)

// ExplicitProjection is a projection a collection declares under `projections`.
type ExplicitProjection struct {
	Field     string
	Ptr       string
	Partition bool
}

// Projection is a named field of a collection's documents.
type Projection struct {
	Field          string
	Ptr            string
	Explicit       bool
	IsPrimaryKey   bool
	IsPartitionKey bool
	Inference      Inference
}

// Inference is what the schema says of a projected location.
type Inference struct {
	Types           Types
	Exists          Exists
	Title           string
	Description     string
	Default         any
	HasDefault      bool
	Format          string
	ContentEncoding string
	MaxLength       int // -1: unbounded
}

func inferenceOf(sh *Shape, exists Exists) Inference {
	return Inference{
		Types: sh.Types, Exists: exists, Title: sh.Title, Description: sh.Description,
		Default: sh.Default, HasDefault: sh.HasDefault, Format: sh.Format,
		ContentEncoding: sh.ContentEncoding, MaxLength: sh.MaxLength,
	}
}

// publishedAtInference is the synthetic inference of the publication time decoded from the
// document's v1 UUID.
func publishedAtInference() Inference {
	return Inference{
		Types: String, Exists: MustExist, Title: "Flow Publication Time",
		Description: "Flow publication date-time of this document", Format: "date-time", MaxLength: -1,
	}
}

// Projections derives a collection's projections as Flow does (flow-spec 3.3): the explicit ones,
// `flow_document` for the root and `flow_published_at` for the publication time unless an
// explicit projection already names them, the key locations, and every statically known location
// under its canonical field (its pointer without the leading slash). The result is sorted by
// field; for a field named twice, an explicit projection wins over a key, and a key over an
// inferred location. Problems report explicit and key locations that break Flow's rules, and
// explicit fields that re-map a canonical field to another location.
func Projections(sh *Shape, key []string, explicit []ExplicitProjection) ([]Projection, []Problem) {
	var out []Projection
	var problems []Problem
	isKey := map[string]bool{}
	for _, k := range key {
		isKey[k] = true
	}

	rootNamed, publishedAtNamed := false, false
	for _, e := range explicit {
		if e.Ptr == PublishedAtPtr {
			publishedAtNamed = true
			out = append(out, Projection{Field: e.Field, Ptr: UUIDPtr, Explicit: true, Inference: publishedAtInference()})
			continue
		}
		check := CheckLocation
		if e.Partition {
			check = CheckKey
		}
		if p := check(sh, e.Ptr); p != nil {
			problems = append(problems, *p)
			continue
		}
		rootNamed = rootNamed || e.Ptr == ""
		loc, exists := sh.Locate(e.Ptr)
		out = append(out, Projection{
			Field: e.Field, Ptr: e.Ptr, Explicit: true, IsPrimaryKey: isKey[e.Ptr], IsPartitionKey: e.Partition,
			Inference: inferenceOf(loc, exists),
		})
	}
	if !rootNamed {
		out = append(out, Projection{Field: DocumentField, Ptr: "", Inference: inferenceOf(sh, MustExist)})
	}
	if !publishedAtNamed {
		out = append(out, Projection{Field: PublishedAtField, Ptr: UUIDPtr, Inference: publishedAtInference()})
	}
	for _, k := range key {
		if p := CheckKey(sh, k); p != nil {
			problems = append(problems, *p)
			continue
		}
		loc, exists := sh.Locate(k)
		out = append(out, Projection{Field: k[1:], Ptr: k, IsPrimaryKey: true, Inference: inferenceOf(loc, exists)})
	}
	for _, loc := range sh.Locations() {
		if loc.Ptr == "" || loc.Ptr == "/"+DocumentField {
			continue
		}
		out = append(out, Projection{Field: loc.Ptr[1:], Ptr: loc.Ptr, IsPrimaryKey: isKey[loc.Ptr], Inference: inferenceOf(loc.Shape, loc.Exists)})
	}

	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Field != out[j].Field {
			return out[i].Field < out[j].Field
		}
		return rank(out[i]) < rank(out[j])
	})
	deduped := out[:0]
	remapReported := false
	for i, p := range out {
		if i > 0 && out[i-1].Field == p.Field {
			prev := deduped[len(deduped)-1]
			if prev.Explicit && !p.Explicit && prev.Ptr != p.Ptr && !remapReported {
				remapReported = true
				problems = append(problems, Problem{CodeProjectionRemap, prev.Ptr, fmt.Sprintf(
					"projection %s is the canonical field name of location %q, and cannot re-map it to %q",
					p.Field, p.Ptr, prev.Ptr)})
			}
			continue
		}
		remapReported = false
		deduped = append(deduped, p)
	}
	return deduped, problems
}

// rank orders projections of one field: explicit, then key, then inferred.
func rank(p Projection) int {
	switch {
	case p.Explicit:
		return 0
	case p.IsPrimaryKey:
		return 1
	}
	return 2
}
