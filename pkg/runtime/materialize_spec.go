package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/connector/fieldsel"
)

// materializationSpec builds the MaterializationSpec of the enabled bindings as Flow's build does:
// the connector validates each binding and its constraints choose the fields (with the binding's
// `fields` stanza). It returns the spec, the catalog binding of each spec binding, and the endpoint.
func materializationSpec(ctx context.Context, env *shardEnv, m *catalog.BuiltMaterialization) (*connector.MaterializationSpec, []*catalog.BuiltMaterializationBinding, connector.Endpoint, error) {
	ep, kind, config, err := endpointOf(m.Name, m.Def.Endpoint)
	if err != nil {
		return nil, nil, ep, err
	}
	spec := &connector.MaterializationSpec{Name: m.Name, ConnectorType: kind, Config: config}
	validate := &connector.MaterializeValidate{Name: m.Name, ConnectorType: kind, Config: config}
	var bindings []*catalog.BuiltMaterializationBinding
	for _, b := range m.Bindings {
		if b.Def.Disable {
			continue
		}
		coll, err := collectionSpec(env.built, b.Source)
		if err != nil {
			return nil, nil, ep, err
		}
		resource, err := json.Marshal(b.Resource)
		if err != nil {
			return nil, nil, ep, fmt.Errorf("materialization %s: resource of %s: %w", m.Name, b.Source.Name, err)
		}
		var groupBy []string
		if b.Def.Fields != nil {
			groupBy = b.Def.Fields.GroupBy
		}
		bindings = append(bindings, b)
		validate.Bindings = append(validate.Bindings, connector.MaterializeValidateBinding{
			ResourceConfig: resource, Collection: *coll, Backfill: b.Def.Backfill, GroupBy: groupBy})
		spec.Bindings = append(spec.Bindings, connector.MaterializationBinding{
			ResourceConfig: resource, Collection: *coll, Priority: b.Def.Priority, Backfill: b.Def.Backfill})
	}
	validated, err := connector.ValidateMaterialization(ctx, ep, env.connectorOptions(), validate)
	if err != nil {
		return nil, nil, ep, fmt.Errorf("materialization %s: validate: %w", m.Name, err)
	}
	if len(validated.Bindings) != len(spec.Bindings) {
		return nil, nil, ep, fmt.Errorf("materialization %s: connector validated %d bindings of %d", m.Name, len(validated.Bindings), len(spec.Bindings))
	}
	for i := range spec.Bindings {
		sb, vb := &spec.Bindings[i], validated.Bindings[i]
		stanza, err := stanzaOf(bindings[i].Def.Fields)
		if err != nil {
			return nil, nil, ep, fmt.Errorf("materialization %s: binding %s: %w", m.Name, bindings[i].Source.Name, err)
		}
		sel, errs := fieldsel.Select(&sb.Collection, vb.Constraints, stanza)
		if len(errs) > 0 {
			return nil, nil, ep, fmt.Errorf("materialization %s: binding %s: fields: %w", m.Name, bindings[i].Source.Name, errors.Join(errs...))
		}
		sb.FieldSelection, sb.ResourcePath, sb.DeltaUpdates = sel, vb.ResourcePath, vb.DeltaUpdates
		sb.JournalReadSuffix = "materialize/" + m.Name + "/" + strings.Join(vb.ResourcePath, "/")
		sb.StateKey = strings.Join(vb.ResourcePath, "/")
		if sel := selectorOf(bindings[i].Partitions); sel != nil {
			if sb.PartitionSelector, err = json.Marshal(sel); err != nil {
				return nil, nil, ep, err
			}
		}
	}
	return spec, bindings, ep, nil
}

// stanzaOf converts a binding's `fields` block (nil: Flow's default of recommended fields).
func stanzaOf(f *catalog.FieldSelection) (fieldsel.Stanza, error) {
	if f == nil {
		return fieldsel.Stanza{Recommended: -1}, nil
	}
	out := fieldsel.Stanza{Recommended: f.Recommended, Exclude: f.Exclude, GroupBy: f.GroupBy}
	if len(f.Require) > 0 {
		out.Require = map[string]json.RawMessage{}
		for field, cfg := range f.Require {
			b, err := json.Marshal(cfg)
			if err != nil {
				return out, fmt.Errorf("config of required field %s: %w", field, err)
			}
			out.Require[field] = b
		}
	}
	return out, nil
}
