package connector

import (
	"encoding/json"
	"math"

	"github.com/flowctl/flowctl/pkg/schema"
)

// CollectionSpecOf describes a built collection as connectors see it, from catalog-independent
// parts: its key pointers, partition fields, derived projections and the JSON of its schemas.
// Pass readSchema nil for a collection with a single schema: Flow then sends writeSchema alone.
// The runtime and the commands build every spec they send through this one function.
func CollectionSpecOf(name string, key []string, partitionFields []string, projections []schema.Projection,
	writeSchema, readSchema json.RawMessage) *CollectionSpec {
	spec := &CollectionSpec{
		Name:            name,
		WriteSchema:     writeSchema,
		ReadSchema:      readSchema,
		Key:             key,
		UUIDPtr:         schema.UUIDPtr,
		PartitionFields: partitionFields,
		Projections:     make([]Projection, len(projections)),
	}
	for i := range projections {
		spec.Projections[i] = projectionOf(&projections[i])
	}
	return spec
}

func projectionOf(p *schema.Projection) Projection {
	return Projection{
		Ptr:            p.Ptr,
		Field:          p.Field,
		Explicit:       p.Explicit,
		IsPrimaryKey:   p.IsPrimaryKey,
		IsPartitionKey: p.IsPartitionKey,
		Inference:      inferenceOf(&p.Inference),
	}
}

func inferenceOf(in *schema.Inference) Inference {
	out := Inference{
		Types:       in.Types.Names(),
		Title:       in.Title,
		Description: in.Description,
		Exists:      existsName(in.Exists),
	}
	if in.HasDefault {
		// Defaults come from a parsed schema, so they always encode.
		out.Default, _ = json.Marshal(in.Default)
	}
	// Flow describes the string facet of every location that may hold a string, and only those.
	if in.Types.Overlaps(schema.String) {
		out.String = &StringInference{Format: in.Format, ContentEncoding: in.ContentEncoding}
		if in.MaxLength > 0 {
			out.String.MaxLength = uint32(min(in.MaxLength, math.MaxUint32))
		}
	}
	return out
}

func existsName(e schema.Exists) string {
	switch e {
	case schema.MustExist:
		return ExistsMust
	case schema.MayExist:
		return ExistsMay
	case schema.CannotExist:
		return ExistsCannot
	default:
		return ExistsImplicit
	}
}
