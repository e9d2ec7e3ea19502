package catalog

// projectionFields lists the fields a SQLite lambda may bind for a source collection.
func (b *builder) projectionFields(c *BuiltCollection) []string {
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
