package catalog

// projectionFields lists the fields a SQLite lambda may bind for a source collection: all of its
// projections, or when its schema did not compile, those the catalog names.
func (b *builder) projectionFields(c *BuiltCollection) []string {
	if c.Projections != nil {
		fields := make([]string, len(c.Projections))
		for i, p := range c.Projections {
			fields[i] = p.Field
		}
		return fields
	}
	fields := []string{"flow_document", "flow_published_at"}
	for _, p := range c.Def.Projections {
		fields = append(fields, p.Field)
	}
	for _, k := range c.Key {
		if len(k) > 1 {
			fields = append(fields, k[1:])
		}
	}
	return fields
}
