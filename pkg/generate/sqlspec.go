package generate

import (
	"encoding/json"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/schema"
)

// collectionSpec is a built collection as a materialize connector sees it: its name, key and
// projections with their inferences. Private adapter: no package exports this conversion yet.
func collectionSpec(c *catalog.BuiltCollection) connector.CollectionSpec {
	spec := connector.CollectionSpec{Name: c.Name, Key: c.Key, UUIDPtr: schema.UUIDPtr, PartitionFields: c.PartitionFields}
	for _, p := range c.Projections {
		spec.Projections = append(spec.Projections, connector.Projection{
			Ptr: p.Ptr, Field: p.Field, Explicit: p.Explicit, IsPrimaryKey: p.IsPrimaryKey,
			IsPartitionKey: p.IsPartitionKey, Inference: inference(p.Inference),
		})
	}
	return spec
}

func inference(in schema.Inference) connector.Inference {
	out := connector.Inference{
		Types: in.Types.Names(), Title: in.Title, Description: in.Description,
		Exists: map[schema.Exists]string{
			schema.MustExist: connector.ExistsMust, schema.MayExist: connector.ExistsMay,
			schema.CannotExist: connector.ExistsCannot, schema.Implicit: connector.ExistsImplicit,
		}[in.Exists],
	}
	if in.HasDefault {
		out.Default, _ = json.Marshal(in.Default)
	}
	if in.Types.Overlaps(schema.String) {
		out.String = &connector.StringInference{Format: in.Format, ContentEncoding: in.ContentEncoding}
		if in.MaxLength >= 0 {
			out.String.MaxLength = uint32(in.MaxLength)
		}
	}
	return out
}
